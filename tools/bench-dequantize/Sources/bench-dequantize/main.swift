// Throughput of GGUF dequantization to Float32, one thread, per ggml type
// in a real file, in 1M-element chunks into one reused buffer (as a merge
// or a conversion decodes): the kernels alone on blocks already in memory,
// and GGUFFile.decode (pread into scratch from the page cache, then the
// kernel). Run through tools/bench-dequantize.sh.
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

guard CommandLine.arguments.count == 2 else {
    print("usage: bench-dequantize FILE.gguf")
    exit(64)
}
let file = try GGUFFile(path: CommandLine.arguments[1])
let types = GGMLType.allCases.filter { type in file.header.tensors.contains { $0.type == type } }
print("\(CommandLine.arguments[1]), best of 5, one thread")
print("| type | tensors | encoded MB | kernel (in memory) | decode (pread + kernel) |")
print("|------|---------|------------|--------------------|-------------------------|")
for type in types {
    let indices = file.header.tensors.indices.filter { file.header.tensors[$0].type == type }
    let byteCount = indices.reduce(0) { $0 + Int(file.header.tensors[$1].byteCount) }
    let elementCount = indices.reduce(0) { $0 + file.header.tensors[$1].elementCount }
    let encoded = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
    var ranges: [(bytes: Range<Int>, elements: Range<Int>)] = []
    var byteOffset = 0
    var elementOffset = 0
    for index in indices {
        let tensor = file.header.tensors[index]
        let bytes = byteOffset..<byteOffset + Int(tensor.byteCount)
        try file.readRawBytes(
            ofTensor: index, 0..<tensor.byteCount, into: UnsafeMutableRawBufferPointer(rebasing: encoded[bytes]))
        ranges.append((bytes, elementOffset..<elementOffset + tensor.elementCount))
        byteOffset = bytes.upperBound
        elementOffset += tensor.elementCount
    }
    let chunk = (1 << 20) / type.blockElementCount * type.blockElementCount
    let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunk)
    var kernelSeconds = Double.infinity
    for _ in 0..<5 {
        let start = monotonicSeconds()
        for (bytes, elements) in ranges {
            var first = 0
            while first < elements.count {
                let count = min(elements.count - first, chunk)
                let byteStart = bytes.lowerBound + first / type.blockElementCount * type.blockByteCount
                let byteEnd = byteStart + count / type.blockElementCount * type.blockByteCount
                _ = type.dequantize(
                    UnsafeRawBufferPointer(rebasing: encoded[byteStart..<byteEnd]),
                    into: UnsafeMutableBufferPointer(rebasing: values[0..<count]))
                first += count
            }
        }
        kernelSeconds = min(kernelSeconds, monotonicSeconds() - start)
    }
    let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: chunk / type.blockElementCount * type.blockByteCount, alignment: 64)
    var decodeSeconds = Double.infinity
    for _ in 0..<5 {
        let start = monotonicSeconds()
        for index in indices {
            let count = file.header.tensors[index].elementCount
            var first = 0
            while first < count {
                let range = first..<min(count, first + chunk)
                try file.decode(
                    tensor: index, elements: range, into: UnsafeMutableBufferPointer(rebasing: values[0..<range.count]),
                    scratch: scratch)
                first = range.upperBound
            }
        }
        decodeSeconds = min(decodeSeconds, monotonicSeconds() - start)
    }
    func rate(_ seconds: Double) -> String {
        "\(Int(Double(byteCount) / seconds / 1e6)) MB/s in, \(Int(Double(elementCount) / seconds / 1e6)) M elements/s"
    }
    let megabytes = byteCount / 1_000_000
    print("| \(type.name) | \(indices.count) | \(megabytes) | \(rate(kernelSeconds)) | \(rate(decodeSeconds)) |")
    encoded.deallocate()
    values.deallocate()
    scratch.deallocate()
}
