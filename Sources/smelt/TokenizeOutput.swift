import Base
import Tokenize

/// How `smelt tokenize` prints encodings: one JSON object per record, or a
/// readable table of tokens on a terminal.
struct TokenizeOutput: Sendable {
    let encoder: RecordEncoder
    let json: Bool
    let addSpecialTokens: Bool
    func encodeText(_ text: String) throws {
        let encoding = encoder.tokenizer.encode(text, addSpecialTokens: addSpecialTokens)
        let record = RecordEncoding(encoding: encoding, lossMask: nil, text: text, lossSpans: [])
        if json {
            writeToStandardOutput(bytes: jsonLine(id: .null, record))
        } else {
            writeToStandardOutput(table(record))
        }
    }

    /// Encodes the records of a JSONL file in batches on `threads` workers,
    /// printing them in file order.
    func encodeFile(_ path: String, threads: Int) throws {
        var batches = try RecordBatches(
            path: path, encoder: encoder, addSpecialTokens: addSpecialTokens, threads: threads)
        var totals = (records: 0, tokens: 0)
        while let (records, error) = try batches.next() {
            var text: [UInt8] = []
            for (record, encoding, _) in records {
                text += json ? jsonLine(id: record.id, encoding) : Array(summary(record, encoding).utf8)
                totals.tokens += encoding.encoding.count
                totals.records += 1
            }
            writeToStandardOutput(bytes: text)
            if let error { throw error }
        }
        if !json { writeToStandardOutput("\(totals.records) records, \(totals.tokens) tokens\n") }
    }

    /// `{"id": …, "ids": […], "tokens": […], "offsets": [[s, e], …], "decoded": …, "loss_mask": […]}`.
    func jsonLine(id: JSONOutput, _ record: RecordEncoding) -> [UInt8] {
        let encoding = record.encoding
        var json = CompactJSONBuffer(reservingCapacity: encoding.count * 32 + 64)
        json.raw("{\"id\": ")
        json.raw(id.rendered())
        json.raw(", \"ids\": [")
        for (index, value) in encoding.ids.enumerated() {
            if index > 0 { json.raw(", ") }
            json.integer(value)
        }
        json.raw("], \"tokens\": [")
        for (index, token) in encoding.tokens.enumerated() {
            if index > 0 { json.raw(", ") }
            json.string(token)
        }
        json.raw("], \"offsets\": [")
        for (index, range) in encoding.offsets.enumerated() {
            json.raw(index > 0 ? ", [" : "[")
            json.integer(range.lowerBound)
            json.raw(", ")
            json.integer(range.upperBound)
            json.raw("]")
        }
        json.raw("], \"decoded\": ")
        json.string(encoder.tokenizer.decode(encoding.ids))
        if let mask = record.lossMask {
            json.raw(", \"loss_mask\": [")
            for (index, counts) in mask.enumerated() {
                if index > 0 { json.raw(", ") }
                json.raw(counts ? "1" : "0")
            }
            json.raw("]")
        }
        json.raw("}\n")
        return json.bytes
    }

    /// One line per token: position, id, token string, offsets, the text it covers.
    func table(_ record: RecordEncoding) -> String {
        let encoding = record.encoding
        let scalars = Array(record.text.unicodeScalars)
        var text = "\(encoding.count) tokens\n"
        for index in 0..<encoding.count {
            let range = encoding.offsets[index]
            var covered = String.UnicodeScalarView()
            if range.upperBound <= scalars.count { covered.append(contentsOf: scalars[range]) }
            let mark = record.lossMask.map { $0[index] ? "*" : " " } ?? " "
            let line =
                pad(String(index), 6) + " " + pad(String(encoding.ids[index]), 7) + " " + mark + " "
                + pad(JSONOutput.quoted(encoding.tokens[index]), 24, left: false) + " "
                + pad("\(range.lowerBound)..<\(range.upperBound)", 12, left: false) + " "
                + JSONOutput.quoted(String(covered))
            text += TerminalText.escaped(line) + "\n"
        }
        return text + "decoded: " + TerminalText.escaped(JSONOutput.quoted(encoder.tokenizer.decode(encoding.ids)))
            + "\n"
    }

    /// A record's line when not printing JSON.
    func summary(_ record: DataRecord, _ encoding: RecordEncoding) -> String {
        let counted = encoding.lossMask.map { $0.filter { $0 }.count } ?? encoding.encoding.count
        return
            "record \(record.id.rendered()) (line \(record.line)): \(encoding.encoding.count) tokens, "
            + "\(counted) in the loss\n"
    }

    private func pad(_ text: String, _ width: Int, left: Bool = true) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return left ? padding + text : text + padding
    }
}
