// Swift Regex on the Qwen2 split pattern, for comparison with TokenPattern
// (BENCHMARKS.md, "Split regexes"); the first 500 texts of the corpus:
//   swiftc -O tools/bench-swift-regex.swift -o /tmp/bench-swift-regex
//   /tmp/bench-swift-regex ~/.cache/smelt/bench/tokenize-corpus.jsonl
import Foundation
let path = CommandLine.arguments[1]
let data = try! String(contentsOfFile: path, encoding: .utf8)
var texts: [String] = []
for line in data.split(separator: "\n") {
    let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    texts.append(object["text"] as! String)
}
let bytes = texts.reduce(0) { $0 + $1.utf8.count }
let regex = try! Regex(#"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#).matchingSemantics(.unicodeScalar)
let start = Date()
var count = 0
for text in texts.prefix(500) { count += text.unicodeScalars.count > 0 ? String(text).matches(of: regex).count : 0 }
let seconds = Date().timeIntervalSince(start)
let sub = texts.prefix(500).reduce(0) { $0 + $1.utf8.count }
print("Swift Regex: \(count) matches in \(seconds) s on \(sub) bytes = \(Double(sub) / seconds / 1e6) MB/s")
