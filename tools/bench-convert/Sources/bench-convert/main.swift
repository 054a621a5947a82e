// Throughput of the dtype conversions every merge runs per element
// (Float32 compute, one rounding on store). Prints a table; run through
// tools/bench-convert.sh.
import Base
import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let elementCount = 16 << 20
let floats = UnsafeMutableBufferPointer<Float>.allocate(capacity: elementCount)
for index in 0..<elementCount { floats[index] = Float(index % 1000) * 0.001 - 0.5 }
let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: elementCount * 8, alignment: 64)

print("\(elementCount) elements, best of 5, one thread")
print("| dtype | encode (Float32 → dtype) | decode (dtype → Float32) |")
print("|-------|--------------------------|--------------------------|")
for dtype in [DType.bf16, .f16, .f32, .f64] {
    let bytes = UnsafeMutableRawBufferPointer(rebasing: storage[0..<(elementCount * dtype.bitsPerElement / 8)])
    var best = (encode: Double.infinity, decode: Double.infinity)
    for _ in 0..<5 {
        let start = monotonicSeconds()
        _ = dtype.encode(UnsafeBufferPointer(floats), into: bytes)
        let middle = monotonicSeconds()
        _ = dtype.decode(UnsafeRawBufferPointer(bytes), into: floats)
        let end = monotonicSeconds()
        best = (min(best.encode, middle - start), min(best.decode, end - middle))
    }
    let encodeRate = Int(Double(elementCount) / best.encode / 1e6)
    let decodeRate = Int(Double(elementCount) / best.decode / 1e6)
    print("| \(dtype.rawValue) | \(encodeRate) M elements/s | \(decodeRate) M elements/s |")
}
