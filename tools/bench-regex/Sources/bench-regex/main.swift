// Single-threaded speed of TokenPattern on a JSON-lines corpus ({"text": …} per line), per pattern:
//   bench-regex CORPUS.jsonl NAME=PATTERN ...
// prints `name  MB/s  matches`, MB of UTF-8 input, best of five runs; the conversion to scalars is not timed.
import Foundation
import Tokenize

struct Line: Decodable { let text: String }

let arguments = CommandLine.arguments
guard arguments.count >= 3, let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: bench-regex CORPUS.jsonl NAME=PATTERN ...\n".utf8))
    exit(64)
}
let decoder = JSONDecoder()
let documents = data.split(separator: UInt8(ascii: "\n")).compactMap { try? decoder.decode(Line.self, from: $0).text }
let scalars = documents.map { Array($0.unicodeScalars) }
let byteCount = documents.reduce(0) { $0 + $1.utf8.count }

let tableStart = DispatchTime.now().uptimeNanoseconds
_ = ScalarClass.isLetter("a")
let tableSeconds = Double(DispatchTime.now().uptimeNanoseconds - tableStart) / 1e9
FileHandle.standardError.write(Data("class table built in \(String(format: "%.3f", tableSeconds)) s\n".utf8))

/// Best-of-five time of one pattern over all documents (a function, so the counter is a local).
func measure(_ pattern: TokenPattern) -> (seconds: Double, matchCount: Int) {
    var best = Double.infinity
    var matchCount = 0
    for _ in 0..<5 {
        var count = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for text in scalars {
            text.withUnsafeBufferPointer { buffer in pattern.forEachMatch(in: buffer) { _ in count += 1 } }
        }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        matchCount = count
    }
    return (best, matchCount)
}

for argument in arguments.dropFirst(2) {
    guard let equals = argument.firstIndex(of: "=") else { continue }
    let name = argument[..<equals]
    let pattern = try TokenPattern(String(argument[argument.index(after: equals)...]))
    let (best, matchCount) = measure(pattern)
    let megabytes = Double(byteCount) / 1e6
    print("\(name)\t\(String(format: "%.1f", megabytes / best))\t\(matchCount)")
}
