import Base
import CYAML

/// Reads one YAML document (a mergekit recipe) into `YAMLNode`s with libyaml,
/// stricter than PyYAML where PyYAML is silently lossy: duplicate keys,
/// more than one document, unknown tags, runaway aliases and deep nesting
/// are refused with their line and column. Merge keys (`<<`) are refused
/// too: repeat the entries or alias the whole mapping instead.
public enum YAMLDocument {
    /// Recipes longer than this (1 MiB) are refused before parsing.
    public static let maximumByteCount = 1 << 20
    /// Lists and mappings nested deeper than this are refused.
    public static let maximumDepth = 64
    /// The most nodes all aliases together may stand for (against "billion
    /// laughs" documents, whose aliases multiply).
    public static let maximumAliasNodeCount = 100_000

    /// Parses `bytes`, which must hold exactly one UTF-8 YAML document.
    /// `file` is used only in error messages.
    public static func parse(_ bytes: [UInt8], file: String) throws(YAMLError) -> YAMLNode {
        guard bytes.count <= maximumByteCount else {
            throw YAMLError(
                file: file, mark: nil,
                problem: "the recipe is \(bytes.count) bytes; recipes are limited to 1 MiB (\(maximumByteCount) bytes)")
        }
        // libyaml would silently switch to UTF-16 on these byte order marks.
        guard !bytes.starts(with: [0xFF, 0xFE]) && !bytes.starts(with: [0xFE, 0xFF]) else {
            throw YAMLError(
                file: file, mark: YAMLMark(line: 1, column: 1), problem: "the recipe is UTF-16; it must be UTF-8")
        }
        // libyaml asserts that its input pointer is not null.
        guard !bytes.isEmpty else { throw YAMLError(file: file, mark: nil, problem: "the recipe is empty") }
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(YAMLError) in try parse(buffer, file: file) }
        }
        return try result.get()
    }

    private static func parse(_ input: UnsafeBufferPointer<UInt8>, file: String) throws(YAMLError) -> YAMLNode {
        guard let base = input.baseAddress else {
            throw YAMLError(file: file, mark: nil, problem: "the recipe is empty")
        }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(file: file, mark: nil, problem: "libyaml ran out of memory")
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base, input.count)
        var reader = YAMLTreeReader(parser: parser, input: input, file: file)
        return try reader.readDocument()
    }
}

/// A libyaml event, copied out of libyaml's memory so the C event can be
/// freed at once.
private enum YAMLEvent {
    case streamStart, streamEnd, documentEnd, sequenceEnd, mappingEnd
    case documentStart(YAMLMark)
    case alias(name: String, mark: YAMLMark)
    case scalar(YAMLNodeStart, text: String, style: YAMLScalarStyle)
    case sequenceStart(YAMLNodeStart)
    case mappingStart(YAMLNodeStart)
}

/// What the start of every node carries.
private struct YAMLNodeStart {
    let mark: YAMLMark
    let anchor: String?
    let tag: String?
}

/// Builds the tree from libyaml's events, one recursive call per node
/// (recursion is bounded by `maximumDepth`).
private struct YAMLTreeReader: ~Copyable {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let input: UnsafeBufferPointer<UInt8>
    let file: String
    /// Finished anchored nodes, with the size and height they stand for.
    private var anchors: [String: (node: YAMLNode, mark: YAMLMark, built: Built)] = [:]
    /// Anchors on collections still being read (an alias to one is a cycle).
    private var openAnchors: [String: YAMLMark] = [:]
    private var aliasNodeCount = 0

    /// A node with the number of nodes it stands for (aliases expanded) and
    /// how many levels of lists and mappings it holds.
    struct Built {
        var nodeCount: Int
        var height: Int
    }

    init(parser: UnsafeMutablePointer<yaml_parser_t>, input: UnsafeBufferPointer<UInt8>, file: String) {
        self.parser = parser
        self.input = input
        self.file = file
    }

    private func fail(_ mark: YAMLMark?, _ problem: String) -> YAMLError {
        YAMLError(file: file, mark: mark, problem: problem)
    }

    mutating func readDocument() throws(YAMLError) -> YAMLNode {
        guard case .streamStart = try next() else { throw fail(nil, "libyaml did not start a stream") }
        switch try next() {
        case .streamEnd: throw fail(nil, "the recipe is empty")
        case .documentStart: break
        default: throw fail(nil, "libyaml did not start a document")
        }
        let (root, _) = try readNode(try next(), depth: 0)
        guard case .documentEnd = try next() else { throw fail(root.mark, "libyaml did not end the document") }
        switch try next() {
        case .streamEnd: return root
        case .documentStart(let mark):
            throw fail(mark, "a second YAML document starts here; a recipe is exactly one document")
        default: throw fail(nil, "libyaml did not end the stream")
        }
    }

    private mutating func next() throws(YAMLError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw YAMLError.libyaml(parser, input: input, file: file) }
        defer { yaml_event_delete(&event) }
        func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? { pointer.map { String(cString: $0) } }
        let mark = YAMLMark(event.start_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart(mark)
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(name: text(event.data.alias.anchor) ?? "", mark: mark)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            // Lengths, not C strings: a double-quoted "\0" is a NUL inside the text.
            let value =
                scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
                } ?? ""
            let style: YAMLScalarStyle =
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE, YAML_DOUBLE_QUOTED_SCALAR_STYLE: .quoted
                case YAML_LITERAL_SCALAR_STYLE, YAML_FOLDED_SCALAR_STYLE: .block
                default: .plain
                }
            return .scalar(
                YAMLNodeStart(mark: mark, anchor: text(scalar.anchor), tag: text(scalar.tag)), text: value, style: style
            )
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            return .sequenceStart(YAMLNodeStart(mark: mark, anchor: text(start.anchor), tag: text(start.tag)))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            return .mappingStart(YAMLNodeStart(mark: mark, anchor: text(start.anchor), tag: text(start.tag)))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: throw fail(mark, "libyaml returned an unknown event")
        }
    }

    /// Reads the node `event` starts; `depth` counts the enclosing lists
    /// and mappings.
    private mutating func readNode(_ event: YAMLEvent, depth: Int) throws(YAMLError) -> (YAMLNode, Built) {
        switch event {
        case .alias(let name, let mark):
            return try expandAlias(name, at: mark, depth: depth)
        case .scalar(let start, let text, let style):
            try checkAnchor(start)
            let node = YAMLNode(
                mark: start.mark, value: .scalar(text, style: style), scalarKind: try scalarKind(start, text, style))
            let built = Built(nodeCount: 1, height: 0)
            if let anchor = start.anchor { anchors[anchor] = (node, start.mark, built) }
            return (node, built)
        case .sequenceStart(let start):
            try openCollection(start, kind: "a list", depth: depth)
            var items: [YAMLNode] = []
            var built = Built(nodeCount: 1, height: 1)
            while true {
                let event = try next()
                if case .sequenceEnd = event { break }
                let (item, itemBuilt) = try readNode(event, depth: depth + 1)
                items.append(item)
                built.add(itemBuilt)
            }
            return closeCollection(
                start, YAMLNode(mark: start.mark, value: .sequence(items), scalarKind: .string), built)
        case .mappingStart(let start):
            try openCollection(start, kind: "a mapping", depth: depth)
            var entries: [YAMLMappingEntry] = []
            var keyMarks: [String: YAMLMark] = [:]
            var built = Built(nodeCount: 1, height: 1)
            while true {
                let event = try next()
                if case .mappingEnd = event { break }
                let (key, keyBuilt) = try readKey(event, depth: depth + 1)
                guard case .scalar(let keyText, _) = key.value else {
                    throw fail(key.mark, "a mapping key must be a scalar, not \(key.describeKind())")
                }
                if let first = keyMarks[keyText] {
                    throw fail(
                        key.mark,
                        "duplicate key '\(keyText)' (first at \(first)); PyYAML would silently keep the last one")
                }
                keyMarks[keyText] = key.mark
                let (value, valueBuilt) = try readNode(try next(), depth: depth + 1)
                entries.append(YAMLMappingEntry(key: keyText, keyMark: key.mark, value: value))
                built.add(keyBuilt)
                built.add(valueBuilt)
            }
            return closeCollection(
                start, YAMLNode(mark: start.mark, value: .mapping(entries), scalarKind: .string), built)
        default:
            throw fail(nil, "libyaml returned an event out of order")
        }
    }

    /// Reads a mapping key, refusing lists, mappings and merge keys before
    /// reading them.
    private mutating func readKey(_ event: YAMLEvent, depth: Int) throws(YAMLError) -> (YAMLNode, Built) {
        switch event {
        case .sequenceStart(let start), .mappingStart(let start):
            let kind = if case .sequenceStart = event { "a list" } else { "a mapping" }
            throw fail(start.mark, "a mapping key must be a scalar, not \(kind)")
        case .scalar(let start, "<<", .plain) where start.tag == nil:
            throw fail(start.mark, "merge keys (<<) are not supported; repeat the entries or alias the whole mapping")
        default:
            return try readNode(event, depth: depth)
        }
    }

    private mutating func expandAlias(
        _ name: String, at mark: YAMLMark, depth: Int
    ) throws(YAMLError) -> (YAMLNode, Built) {
        guard let anchored = anchors[name] else {
            if let open = openAnchors[name] {
                throw fail(
                    mark,
                    "alias *\(name) refers to the node at \(open) that contains it; recursive structures are not supported"
                )
            }
            throw fail(mark, "undefined alias *\(name)")
        }
        // checked: both terms are at most maximumAliasNodeCount plus the input's node count.
        aliasNodeCount += anchored.built.nodeCount
        guard aliasNodeCount <= YAMLDocument.maximumAliasNodeCount else {
            throw fail(mark, "aliases expand to more than \(YAMLDocument.maximumAliasNodeCount) nodes")
        }
        guard depth + anchored.built.height <= YAMLDocument.maximumDepth else {
            throw fail(mark, "alias *\(name) nests lists and mappings deeper than \(YAMLDocument.maximumDepth) levels")
        }
        let node = YAMLNode(mark: mark, value: anchored.node.value, scalarKind: anchored.node.scalarKind)
        return (node, anchored.built)
    }

    /// Refuses an anchor defined twice, as PyYAML does.
    private func checkAnchor(_ start: YAMLNodeStart) throws(YAMLError) {
        guard let anchor = start.anchor, let first = anchors[anchor]?.mark ?? openAnchors[anchor] else { return }
        throw fail(start.mark, "anchor &\(anchor) is defined twice (first at \(first))")
    }

    private mutating func openCollection(_ start: YAMLNodeStart, kind: String, depth: Int) throws(YAMLError) {
        guard depth < YAMLDocument.maximumDepth else {
            throw fail(start.mark, "lists and mappings are nested deeper than \(YAMLDocument.maximumDepth) levels")
        }
        if let tag = start.tag { throw fail(start.mark, "tag \(Self.shortTag(tag)) is not supported on \(kind)") }
        try checkAnchor(start)
        if let anchor = start.anchor { openAnchors[anchor] = start.mark }
    }

    private mutating func closeCollection(_ start: YAMLNodeStart, _ node: YAMLNode, _ built: Built) -> (YAMLNode, Built)
    {
        if let anchor = start.anchor {
            openAnchors[anchor] = nil
            anchors[anchor] = (node, start.mark, built)
        }
        return (node, built)
    }

    private func scalarKind(
        _ start: YAMLNodeStart, _ text: String, _ style: YAMLScalarStyle
    ) throws(YAMLError) -> YAMLScalarKind {
        guard let tag = start.tag else {
            guard style == .plain else { return .string }
            guard let kind = YAMLScalarResolver.resolvePlain(text) else {
                throw fail(
                    start.mark, "'\(text)' looks like an integer but PyYAML cannot read it; quote it if it is text")
            }
            return kind
        }
        let prefix = "tag:yaml.org,2002:"
        guard tag.hasPrefix(prefix), ["str", "int", "float", "bool", "null"].contains(tag.dropFirst(prefix.count))
        else {
            throw fail(
                start.mark, "tag \(Self.shortTag(tag)) is not supported; use !!str, !!int, !!float, !!bool or !!null")
        }
        let name = String(tag.dropFirst(prefix.count))
        if name == "str" { return .string }
        guard let kind = YAMLScalarResolver.resolveTagged(text, tag: name) else {
            throw fail(start.mark, "'\(text)' is not a valid !!\(name)")
        }
        return kind
    }

    private static func shortTag(_ tag: String) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }
}

extension YAMLTreeReader.Built {
    /// Adds a child's node count and height.
    fileprivate mutating func add(_ child: Self) {
        // checked: node counts are bounded by the input size plus maximumAliasNodeCount.
        nodeCount += child.nodeCount
        height = max(height, child.height + 1)
    }
}
