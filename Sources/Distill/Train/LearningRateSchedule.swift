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
/// when the L2 norm of every gradient together (`ParameterStore.gradientNorm`)
/// exceeds `maximum`, every gradient is scaled by maximum / (norm + 1e-6).
public enum GradientClipping {
    /// What the gradients are multiplied by: 1 up to the maximum.
    public static func scale(norm: Double, maximum: Double) -> Float {
        let coefficient = maximum / (norm + 1e-6)
        return coefficient < 1 ? Float(coefficient) : 1
    }
}
