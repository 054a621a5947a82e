import Base

/// A model's token strings and ids, both ways. Tokens are compared by their
/// bytes: a vocabulary may hold canonically equivalent spellings ("é" and
/// "e\u{301}", CJK compatibility ideographs) as different tokens.
struct Vocabulary: Sendable {
    private let ids: ByteKeyTable
    private let tokens: [String?]

    /// Builds the two maps, refusing an id used twice.
    init(_ entries: [(token: String, id: Int32)], field: JSONField) throws(TokenizerError) {
        var ids = ByteKeyTable(minimumCapacity: entries.count)
        var limit = 0
        for entry in entries { limit = max(limit, Int(entry.id) + 1) }
        guard limit <= entries.count * 2 + 1_024 else {
            throw field.error("ids run up to \(limit - 1) for \(entries.count) tokens")
        }
        var tokens = [String?](repeating: nil, count: limit)
        for entry in entries {
            if let other = tokens[Int(entry.id)] {
                throw field.error("id \(entry.id) is given to both \(quoted(other)) and \(quoted(entry.token))")
            }
            tokens[Int(entry.id)] = entry.token
            ids.insert(entry.token, value: entry.id)
        }
        self.ids = ids
        self.tokens = tokens
    }

    /// The `{"token": id, …}` object of BPE and WordPiece files.
    static func entries(_ field: JSONField) throws(TokenizerError) -> [(token: String, id: Int32)] {
        let members = try field.members()
        var entries: [(token: String, id: Int32)] = []
        entries.reserveCapacity(members.count)
        for member in members {
            guard case .unsignedInteger(let id) = member.node.value, id <= UInt64(Int32.max) else {
                throw field.error("the id of \(quoted(member.key)) is not an integer from 0 to \(Int32.max)")
            }
            entries.append((member.key, Int32(id)))
        }
        return entries
    }


    func id(of token: String) -> Int32? { ids.value(for: token) }

    func id(of bytes: UnsafeRawBufferPointer) -> Int32? { ids.value(for: bytes) }

    /// One past the largest id.
    var idCount: Int { tokens.count }

    func token(of id: Int32) -> String? {
        id >= 0 && Int(id) < tokens.count ? tokens[Int(id)] : nil
    }
}

/// A token as messages write it: JSON-quoted, so spaces and controls show.
func quoted(_ token: String) -> String {
    var result = "\""
    for scalar in token.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        case "\r": result += "\\r"
        default:
            if scalar.value < 0x20 {
                result += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    return result + "\""
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
