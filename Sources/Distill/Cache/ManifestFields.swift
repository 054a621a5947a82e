import Base

/// Typed reads of a JSON object's members for the cache's manifest, each
/// failure a `LogitCacheFolderError.damaged` naming the file and the key.
struct ManifestFields {
    let members: [(key: String, node: JSONNode)]
    let place: String

    init(_ node: JSONNode, place: String) {
        if case .object(let members) = node.value { self.members = members } else { self.members = [] }
        self.place = place
    }

    func node(_ key: String) throws(LogitCacheFolderError) -> JSONNode {
        guard let node = members.first(where: { $0.key == key })?.node else {
            throw .damaged(place: place, problem: "no \"\(key)\"")
        }
        return node
    }

    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    func object(_ key: String) throws(LogitCacheFolderError) -> ManifestFields {
        let found = try node(key)
        guard case .object = found.value else { throw .damaged(place: place, problem: "\"\(key)\" is not an object") }
        return ManifestFields(found, place: place)
    }

    func array(_ key: String) throws(LogitCacheFolderError) -> [ManifestFields] {
        guard case .array(let elements) = try node(key).value else {
            throw .damaged(place: place, problem: "\"\(key)\" is not an array")
        }
        return elements.map { ManifestFields($0, place: place) }
    }

    func string(_ key: String) throws(LogitCacheFolderError) -> String {
        guard case .string(let value) = try node(key).value else {
            throw .damaged(place: place, problem: "\"\(key)\" is not a string")
        }
        return value
    }

    func integer(_ key: String) throws(LogitCacheFolderError) -> Int {
        switch try node(key).value {
        case .unsignedInteger(let value) where value <= UInt64(Int.max): return Int(value)
        default: throw .damaged(place: place, problem: "\"\(key)\" is not a whole number")
        }
    }

    /// A number (an infinity is written as null and read back as one).
    func double(_ key: String) throws(LogitCacheFolderError) -> Double {
        switch try node(key).value {
        case .unsignedInteger(let value): return Double(value)
        case .number(let text):
            guard let value = Double(text) else { throw .damaged(place: place, problem: "\"\(key)\" is not a number") }
            return value
        case .null: return .infinity
        default: throw .damaged(place: place, problem: "\"\(key)\" is not a number")
        }
    }

    func digest(_ key: String) throws(LogitCacheFolderError) -> UInt64 {
        guard let digest = XXH3.parseHex(try string(key)) else {
            throw .damaged(place: place, problem: "\"\(key)\" is not 16 hex digits")
        }
        return digest
    }
}
