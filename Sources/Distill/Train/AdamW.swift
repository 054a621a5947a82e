/// AdamW as `torch.optim.AdamW` computes it for Float32 parameters (its
/// single-tensor path): decoupled weight decay first, then the
/// bias-corrected moment update, each step in the same order of Float32
/// operations, so a step matches torch's (REFERENCE.md, "Heterogeneous
/// merging": β = 0.9, 0.95).
public struct AdamW: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0.1

    public init(
        learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.95, epsilon: Float = 1e-8, weightDecay: Float = 0.1
    ) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// One parameter tensor's moments.
    public struct State: Sendable, Equatable {
        public var firstMoment: [Float]
        public var secondMoment: [Float]

        public init(count: Int) {
            firstMoment = [Float](repeating: 0, count: count)
            secondMoment = [Float](repeating: 0, count: count)
        }
    }

    /// Step `step` (from 1) on `parameters` with `gradients`, at learning
    /// rate `learningRate` (the schedule's value for this step).
    public func update(
        _ parameters: inout [Float], gradients: [Float], state: inout State, step: Int, learningRate: Float? = nil
    ) {
        let rate = learningRate ?? self.learningRate
        let decay = 1 - rate * weightDecay
        let correction1 = 1 - Float(Double(beta1).power(step))
        let correction2 = 1 - Float(Double(beta2).power(step))
        let stepSize = rate / correction1
        let correction2Root = correction2.squareRoot()
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        parameters.withUnsafeMutableBufferPointer { p in
            state.firstMoment.withUnsafeMutableBufferPointer { m in
                state.secondMoment.withUnsafeMutableBufferPointer { v in
                    gradients.withUnsafeBufferPointer { g in
                        for index in 0..<min(p.count, g.count) {
                            p[index] *= decay
                            m[index] += (g[index] - m[index]) * (1 - b1)
                            v[index] = v[index] * b2 + (1 - b2) * g[index] * g[index]
                            let denominator = v[index].squareRoot() / correction2Root + eps
                            p[index] += -stepSize * (m[index] / denominator)
                        }
                    }
                }
            }
        }
    }
}

extension Double {
    /// self^exponent by repeated squaring: the same bits on every machine.
    func power(_ exponent: Int) -> Double {
        var result = 1.0, base = self, remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result *= base }
            base *= base
            remaining >>= 1
        }
        return result
    }
}
