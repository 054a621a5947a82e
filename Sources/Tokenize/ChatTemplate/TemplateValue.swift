import Base

/// A Jinja value, as a chat template sees it. Objects keep their keys in
/// insertion order, as Python's dicts do, so `tojson` and `items()` print
/// them in the order they were given.
public indirect enum TemplateValue: Sendable, Equatable {
    /// Jinja's default `Undefined`: prints as nothing and is false.
    case undefined
    /// Python's `None`.
    case none
    /// Python's `True` and `False`.
    case bool(Bool)
    /// A Python `int` (64-bit here; overflow is an error, not a big integer).
    case integer(Int)
    /// A Python `float`.
    case double(Double)
    /// A Python `str`; indexing, slicing and `length` count Unicode scalars, as Python does.
    case string(String)
    /// Text marked safe (`|safe`, `|escape`): markupsafe's `Markup`, which
    /// HTML-escapes plain strings added to it.
    case markup(String)
    /// A Python `list`.
    case array([TemplateValue])
    /// A Python tuple: `(1, 2)`, the pairs of `items()` and `dictsort`; prints with parentheses.
    case tuple([TemplateValue])
    /// A Python `dict` with string keys, in insertion order.
    case object([(key: String, value: TemplateValue)])
    /// A dict literal with a key that is not a string (`{512: 128}`), in insertion order.
    case mapping([(key: TemplateValue, value: TemplateValue)])
    /// A `namespace(...)` object, by its index in the rendering's store
    /// (namespaces are the one mutable value a template can make).
    case namespace(Int)
    /// Something callable: a global, a macro, a method bound to its receiver.
    case function(TemplateFunction)
    /// What `map`, `select` and their kin return: jinja2 gives a generator,
    /// which iterates but has no length, is always true and is not JSON.
    case iterator([TemplateValue])

    /// Structural equality (Python's `==`, where `1 == 1.0`, is the renderer's business).
    public static func == (lhs: TemplateValue, rhs: TemplateValue) -> Bool {
        switch (lhs, rhs) {
        case (.undefined, .undefined), (.none, .none): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)), (.markup(let a), .markup(let b)): a == b
        case (.array(let a), .array(let b)), (.tuple(let a), .tuple(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.mapping(let a), .mapping(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.namespace(let a), .namespace(let b)): a == b
        case (.function(let a), .function(let b)): a == b
        case (.iterator(let a), .iterator(let b)): a == b
        default: false
        }
    }
}

/// A callable value; what it calls is internal to the renderer.
public struct TemplateFunction: Sendable, Equatable {
    indirect enum Kind: Sendable, Equatable {
        /// A global function such as `range` or `raise_exception`.
        case global(String)
        /// A macro, by its index in the renderer's macro table.
        case macro(Int)
        /// The `caller` of a `{% call %}` block, by its index in the renderer's table.
        case caller(Int)
        /// A method of a string, list or dict, bound to its receiver.
        case method(TemplateValue, String)
        /// A method the immutable sandbox refuses (list.append, dict.update, ...).
        case unsafeMethod(typeName: String, name: String)
        /// `loop.cycle` at the given 0-based iteration.
        case cycle(Int)
    }

    let kind: Kind
}

extension TemplateValue {
    /// A value from JSON: integers that fit stay integers, other numbers
    /// become doubles, as Python's `json` module reads them.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let value): self = .bool(value)
        case .string(let value): self = .string(value)
        case .unsignedInteger(let value):
            self = value <= UInt64(Int.max) ? .integer(Int(value)) : .double(Double(value))
        case .number(let text):
            if let integer = Int(text) {
                self = .integer(integer)
            } else {
                self = .double(Double(text) ?? .nan)  // checked: the scanner accepted it as a JSON number
            }
        case .array(let nodes): self = .array(nodes.map { TemplateValue(json: $0.value) })
        case .object(let members):
            self = .object(members.map { (key: $0.key, value: TemplateValue(json: $0.node.value)) })
        }
    }

    /// Python truthiness (`Undefined` is false).
    var isTruthy: Bool {
        switch self {
        case .undefined, .none: false
        case .bool(let value): value
        case .integer(let value): value != 0
        case .double(let value): value != 0
        case .string(let value), .markup(let value): !value.isEmpty
        case .array(let items), .tuple(let items): !items.isEmpty
        case .object(let members): !members.isEmpty
        case .mapping(let members): !members.isEmpty
        case .namespace, .function, .iterator: true
        }
    }

    /// The Python type name, for messages ("str", "list", "dict", ...).
    var typeName: String {
        switch self {
        case .undefined: "Undefined"
        case .none: "NoneType"
        case .bool: "bool"
        case .integer: "int"
        case .double: "float"
        case .string: "str"
        case .markup: "Markup"
        case .array: "list"
        case .tuple: "tuple"
        case .object, .mapping: "dict"
        case .namespace: "Namespace"
        case .function: "function"
        case .iterator: "generator"
        }
    }

    /// The items of a list or tuple, or nil.
    var sequenceItems: [TemplateValue]? {
        switch self {
        case .array(let items), .tuple(let items): items
        default: nil
        }
    }

    /// The value of `key` in an object, or nil.
    func member(_ key: String) -> TemplateValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

extension [(key: String, value: TemplateValue)] {
    /// Sets `key` to `value`, keeping the key's place if it is already there.
    mutating func set(_ key: String, _ value: TemplateValue) {
        if let index = firstIndex(where: { $0.key == key }) {
            self[index].value = value
        } else {
            append((key: key, value: value))
        }
    }
}
