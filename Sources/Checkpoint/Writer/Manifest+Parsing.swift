import Base
/// Reading a manifest back for `smelt verify`. A manifest is a file we
/// wrote, but it may have been edited or damaged since, so it is read as
/// strictly as anything else.
extension Manifest {
    /// A manifest that cannot be read; `message` says where and why.
    public struct ParseError: SmeltError, Equatable {
        public var exitCode: ExitCode { .dataError }
        public let file: String
        public let message: String
        public var description: String { "\(file): \(message)" }
    }

    public init(path: String, bytes: [UInt8]) throws(ParseError) {
        func fail(_ message: String) -> ParseError { ParseError(file: path, message: message) }
        let root: JSONNode
        do { root = try JSONScanner.parse(bytes) } catch {
            throw fail("malformed JSON at byte \(error.offset): \(error.message)")
        }
        let top = try Self.object(root, "manifest", fail)
        self.init(version: try Self.string(top, "smelt_version", fail))
        if case .string(let text)? = top["recipe"]?.value { recipe = text }
        planDigest = try Self.optionalDigest(top, "plan_xxh3", fail)
        for node in try Self.array(top, "inputs", fail) {
            let fields = try Self.object(node, "inputs entry", fail)
            guard let headerDigest = try Self.optionalDigest(fields, "header_xxh3", fail) else {
                throw fail("input entry without a header_xxh3 digest")
            }
            inputs.append(
                Input(
                    pathAsWritten: try Self.string(fields, "path", fail),
                    resolvedPath: try Self.string(fields, "resolved_path", fail),
                    size: try Self.unsigned(fields, "size", fail),
                    modificationTime: try Self.string(fields, "mtime", fail),
                    headerDigest: headerDigest))
        }
        for node in try Self.array(top, "files", fail) {
            let fields = try Self.object(node, "files entry", fail)
            files.append(
                File(
                    name: try Self.string(fields, "name", fail), size: try Self.unsigned(fields, "size", fail),
                    headerDigest: try Self.optionalDigest(fields, "header_xxh3", fail),
                    contentDigest: try Self.optionalDigest(fields, "content_xxh3", fail)))
        }
        for node in try Self.array(top, "tensors", fail) {
            let fields = try Self.object(node, "tensors entry", fail)
            let dtypeName = try Self.string(fields, "dtype", fail)
            guard let dtype = DType(rawValue: dtypeName) else { throw fail("unknown dtype \"\(dtypeName)\"") }
            guard case .array(let dimensions)? = fields["shape"]?.value else {
                throw fail("tensor entry without a shape")
            }
            var shape: [UInt64] = []
            for dimension in dimensions {
                guard case .unsignedInteger(let value) = dimension.value else {
                    throw fail("shape holds \(dimension.value.kindDescription)")
                }
                shape.append(value)
            }
            guard let digest = try Self.optionalDigest(fields, "xxh3", fail) else {
                throw fail("tensor entry without an xxh3 digest")
            }
            tensors.append(
                Tensor(
                    name: try Self.string(fields, "name", fail), file: try Self.string(fields, "file", fail),
                    dtype: dtype, shape: shape, digest: digest))
        }
    }

    private typealias Fields = [String: JSONNode]

    private static func object(
        _ node: JSONNode, _ what: String, _ fail: (String) -> ParseError
    ) throws(ParseError) -> Fields {
        guard case .object(let members) = node.value else { throw fail("\(what) must be an object") }
        return Dictionary(members.map { ($0.key, $0.node) }, uniquingKeysWith: { first, _ in first })
    }

    private static func array(
        _ fields: Fields, _ key: String, _ fail: (String) -> ParseError
    ) throws(ParseError) -> [JSONNode] {
        guard case .array(let elements)? = fields[key]?.value else { throw fail("\"\(key)\" must be an array") }
        return elements
    }

    private static func string(
        _ fields: Fields, _ key: String, _ fail: (String) -> ParseError
    ) throws(ParseError) -> String {
        guard case .string(let text)? = fields[key]?.value else { throw fail("\"\(key)\" must be a string") }
        return text
    }

    private static func unsigned(
        _ fields: Fields, _ key: String, _ fail: (String) -> ParseError
    ) throws(ParseError) -> UInt64 {
        guard case .unsignedInteger(let value)? = fields[key]?.value else {
            throw fail("\"\(key)\" must be an unsigned integer")
        }
        return value
    }

    private static func optionalDigest(
        _ fields: Fields, _ key: String, _ fail: (String) -> ParseError
    ) throws(ParseError) -> UInt64? {
        switch fields[key]?.value {
        case nil, .null?: return nil
        case .string(let text)?:
            guard let digest = XXH3.parseHex(text) else {
                throw fail("\"\(key)\" is not 16 lowercase hex digits: \"\(text)\"")
            }
            return digest
        default: throw fail("\"\(key)\" must be a string")
        }
    }
}
