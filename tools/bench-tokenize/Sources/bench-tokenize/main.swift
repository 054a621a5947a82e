// Encode-only throughput of Smelt's tokenizer, measured as the library's
// helper measures it: load once, then encode every text of a JSONL corpus
// in a loop on one thread, best of 3; prints {"seconds", "tokens"}.
//
//   bench-tokenize TOKENIZER.json CORPUS.jsonl
import Base
import Foundation
import Tokenize

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    writeToStandardError("usage: bench-tokenize TOKENIZER.json CORPUS.jsonl")
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
for _ in 0..<3 {
    let workspace = TokenizerWorkspace()
    let start = DispatchTime.now().uptimeNanoseconds
    var count = 0
    for text in texts { count += tokenizer.encode(text, workspace: workspace).count }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    tokens = count
}
print("{\"seconds\": \(best), \"tokens\": \(tokens)}")
