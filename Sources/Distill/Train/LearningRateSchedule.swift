import Foundation

/// The learning rate of each optimizer step: a linear warm-up from 0 over
/// `warmupSteps`, then a cosine decay to 0 at `totalSteps` (transformers'
/// `get_cosine_schedule_with_warmup`, half a cycle), as FuseLLM and
/// FuseChat train.
public struct LearningRateSchedule: Sendable, Equatable {
    public let peak: Double
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.warmupSteps = max(0, warmupSteps)
        self.totalSteps = max(1, totalSteps)
    }

    /// The rate of step `step`, counted from 0 as transformers' scheduler does.
    public func rate(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step) / Double(max(1, warmupSteps)) }
        // Clamped at the end, where transformers' cosine would rise again.
        let progress = min(1, Double(step - warmupSteps) / Double(max(1, totalSteps - warmupSteps)))
        return peak * max(0, 0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// Gradient clipping by global norm (`torch.nn.utils.clip_grad_norm_`):
/// the L2 norm of every gradient together, summed in tensor order in
/// Float64; when it exceeds `maximum`, every gradient is scaled by
/// maximum / (norm + 1e-6).
public enum GradientClipping {
    /// Clips `gradients` in place and returns the norm before clipping.
    @discardableResult
    public static func clip(_ gradients: inout [[Float]], maximum: Double) -> Double {
        var sum = 0.0
        for tensor in gradients { for value in tensor { sum += Double(value) * Double(value) } }
        let norm = sum.squareRoot()
        let coefficient = maximum / (norm + 1e-6)
        if coefficient < 1 {
            let scale = Float(coefficient)
            for index in gradients.indices { gradients[index] = gradients[index].map { $0 * scale } }
        }
        return norm
    }
}
