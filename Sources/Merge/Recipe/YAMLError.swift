import Base
import CYAML

/// A position in a YAML file, 1-based. Columns count Unicode scalars, as
/// libyaml counts them, not bytes.
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
    /// The line, starting at 1.
    public let line: Int
    /// The column, starting at 1.
    public let column: Int

    /// Makes a mark from 1-based line and column numbers.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// Converts libyaml's 0-based mark.
    init(_ mark: yaml_mark_t) {
        // checked: libyaml's counters are bounded by the 1 MiB input limit.
        self.init(line: Int(clamping: mark.line) + 1, column: Int(clamping: mark.column) + 1)
    }

    /// `LINE:COLUMN`.
    public var description: String { "\(line):\(column)" }
}

/// Why a YAML recipe could not be read: the file, the place in it (when
/// there is one) and a message a person can act on.
public struct YAMLError: SmeltError, Sendable, Equatable {
    public var exitCode: ExitCode { .dataError }

    /// The file name given to `YAMLDocument.parse`, for messages.
    public let file: String
    /// Where the problem is, or nil for problems with the whole file.
    public let mark: YAMLMark?
    /// What is wrong.
    public let problem: String

    /// Makes an error.
    public init(file: String, mark: YAMLMark?, problem: String) {
        self.file = file
        self.mark = mark
        self.problem = problem
    }

    /// `FILE:LINE:COLUMN: problem`, or `FILE: problem` without a mark.
    public var description: String {
        guard let mark else { return "\(file): \(problem)" }
        return "\(file):\(mark.line):\(mark.column): \(problem)"
    }
}

extension YAMLError {
    /// Turns the error libyaml recorded in `parser` into a `YAMLError`,
    /// keeping libyaml's own problem text and position.
    static func libyaml(
        _ parser: UnsafeMutablePointer<yaml_parser_t>, input: UnsafeBufferPointer<UInt8>, file: String
    ) -> YAMLError {
        let state = parser.pointee
        var problem = state.problem.map { String(cString: $0) } ?? "libyaml reported an error without a description"
        switch state.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(file: file, mark: nil, problem: "libyaml ran out of memory")
        case YAML_READER_ERROR:
            // The reader knows only a byte offset (invalid UTF-8, control
            // characters), so the line and column are counted here.
            if state.problem_value >= 0 {
                let value = state.problem_value
                problem +=
                    problem.contains("octet") ? " (byte 0x\(hex(value, width: 2)))" : " (U+\(hex(value, width: 4)))"
            }
            let offset = Int(clamping: state.problem_offset)
            return YAMLError(file: file, mark: mark(atByteOffset: offset, in: input), problem: problem)
        default:
            if let context = state.context {
                problem += " (\(String(cString: context)) started at \(YAMLMark(state.context_mark)))"
            }
            return YAMLError(file: file, mark: YAMLMark(state.problem_mark), problem: problem)
        }
    }

    private static func hex(_ value: Int32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// The line and column of the byte at `offset`, counting line breaks
    /// the way libyaml does (LF, CR, CR LF, NEL, LS, PS) and a leading
    /// byte order mark as nothing.
    static func mark(atByteOffset offset: Int, in input: UnsafeBufferPointer<UInt8>) -> YAMLMark {
        var line = 1
        var column = 1
        var index = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let end = min(offset, input.count)
        while index < end {
            let byte = input[index]
            let next = index + 1 < input.count ? input[index + 1] : 0
            let afterNext = index + 2 < input.count ? input[index + 2] : 0
            if byte == 0x0D && next == 0x0A {
                line += 1; column = 1; index += 2
            } else if byte == 0x0A || byte == 0x0D {
                line += 1; column = 1; index += 1
            } else if byte == 0xC2 && next == 0x85 {
                line += 1; column = 1; index += 2
            } else if byte == 0xE2 && next == 0x80 && (afterNext == 0xA8 || afterNext == 0xA9) {
                line += 1; column = 1; index += 3
            } else {
                // Continuation bytes belong to the scalar already counted.
                if byte & 0xC0 != 0x80 { column += 1 }
                index += 1
            }
        }
        return YAMLMark(line: line, column: column)
    }
}
