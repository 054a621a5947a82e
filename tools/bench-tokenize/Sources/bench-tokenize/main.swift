// Encode-only throughput of Smelt's tokenizer, measured as the library's
// helper measures it: load once, then encode every text of a JSONL corpus
// in a loop, best of 3; prints {"seconds", "tokens"}. With THREADS > 1 the
// texts are shared out in order to that many workers (each with its own
// word cache), as `smelt tokenize --threads` does.
//
//   bench-tokenize TOKENIZER.json CORPUS.jsonl [THREADS]
import Base
import Foundation
import Tokenize

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4 else {
    writeToStandardError("usage: bench-tokenize TOKENIZER.json CORPUS.jsonl [THREADS]")
    exit(64)
}
let tokenizer = try Tokenizer(contentsOfFile: arguments[1])
var lines = try JSONLines(path: arguments[2])
var texts: [String] = []
while true {
    let batch = try lines.nextBatch(count: 4_096)
    if batch.isEmpty { break }
    for line in batch {
        let record = try line.bytes.withUnsafeBytes { try DataRecord(json: $0, file: arguments[2], line: line.line) }
        if case .text(let text) = record.content { texts.append(text) }
    }
}
var best = Double.infinity
var tokens = 0
let threads = arguments.count == 4 ? max(1, Int(arguments[3]) ?? 1) : 1
let corpus = texts
for _ in 0..<3 {
    let start = DispatchTime.now().uptimeNanoseconds
    let counts = concurrentMap(count: corpus.count, threads: threads, makeState: { TokenizerWorkspace() }) {
        index, workspace in tokenizer.encode(corpus[index], workspace: workspace).count
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    tokens = counts.reduce(0, +)
}
print("{\"seconds\": \(best), \"tokens\": \(tokens)}")
