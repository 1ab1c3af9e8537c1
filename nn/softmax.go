package nn

import "math"

// softmax writes the probabilities of one row of logits into p.
func softmax(p, logits []float32) {
	p = p[:len(logits)]
	m := logits[0]
	for _, v := range logits[1:] {
		m = max(m, v)
	}
	var sum float64
	for i, v := range logits {
		e := math.Exp(float64(v - m))
		p[i] = float32(e)
		sum += e
	}
	inv := float32(1 / sum)
	for i := range p {
		p[i] *= inv
	}
}

// softmaxCrossEntropy computes, for n rows of Classes logits, the summed cross-entropy
// loss −log softmax(z)[label] and the number of rows whose largest logit is the label. If
// grad is not nil it receives scale·(softmax(z) − onehot(label)), the gradient of
// scale·loss with respect to the logits.
func softmaxCrossEntropy(logits []float32, labels []byte, n int, scale float32, grad []float32) (loss float64, correct int) {
	for s := 0; s < n; s++ {
		z := logits[s*Classes : (s+1)*Classes]
		y := int(labels[s])
		m, arg := z[0], 0
		for i, v := range z[1:] {
			if v > m {
				m, arg = v, i+1
			}
		}
		if arg == y {
			correct++
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v - m))
		}
		lse := float64(m) + math.Log(sum)
		loss += lse - float64(z[y])
		if grad == nil {
			continue
		}
		g := grad[s*Classes : (s+1)*Classes]
		for i, v := range z {
			g[i] = scale * float32(math.Exp(float64(v)-lse))
		}
		g[y] -= scale
	}
	return loss, correct
}

// Argmax returns the index of the largest value in p (the first one on a tie): the class
// a vector of probabilities or logits predicts.
func Argmax(p []float32) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}
