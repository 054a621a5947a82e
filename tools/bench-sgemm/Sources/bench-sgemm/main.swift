// The machine's Float32 peak through the BLAS that `smelt score` uses:
// a 4096 x 4096 x 4096 product split by rows over THREADS Dispatch workers,
// each one single-threaded OpenBLAS call (as the forward pass calls it),
// best of 5. Prints one JSON line: {"flops": …, "threads": …, "kernels": …}.
import Compute
import Dispatch
import Foundation

let size = 4_096
let threads = max(1, Int(ProcessInfo.processInfo.environment["THREADS"] ?? "") ?? 2)
let a = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
let b = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
let c = UnsafeMutablePointer<Float>.allocate(capacity: size * size)
for index in 0..<(size * size) {
    a[index] = Float(index % 97) / 97
    b[index] = Float(index % 89) / 89
}
nonisolated(unsafe) let (sharedA, sharedB, sharedC) = (a, b, c)
var best = Double.infinity
for _ in 0..<5 {
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
        let first = worker * size / threads
        let rows = (worker + 1) * size / threads - first
        // Weights are stored one output per row, so the engine multiplies by bᵀ.
        MatrixProduct.multiply(
            m: rows, n: size, k: size, a: sharedA + first * size, lda: size, b: sharedB, ldb: size,
            transposeB: true, c: sharedC + first * size, ldc: size)
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
let flops = 2 * Double(size) * Double(size) * Double(size) / best
print("{\"flops\": \(flops), \"threads\": \(threads), \"kernels\": \"\(MatrixProduct.kernelName)\"}")
