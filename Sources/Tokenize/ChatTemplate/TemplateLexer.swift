/// Splits a template into tokens as jinja2's lexer does with
/// `trim_blocks=True, lstrip_blocks=True` (jinja2/lexer.py): newlines are
/// normalised to `\n` and one trailing newline is dropped; `-` next to a
/// delimiter strips all white space on that side; `lstrip_blocks` removes
/// spaces and tabs before `{%` and `{#` (never before `{{`) when only they
/// precede the tag on its line; `trim_blocks` drops the first newline after
/// `%}` and `#}`; `+` turns either off for that tag.
struct TemplateLexer {
    let text: [Unicode.Scalar]
    private var lineStarts: [Int] = [0]
    var index = 0
    var tokens: [TemplateToken] = []
    /// Whether the last delimiter ended with a newline (jinja2's `line_starting`).
    private var lineStarting = true

    init(source: String) {
        var scalars: [Unicode.Scalar] = []
        var iterator = source.unicodeScalars.makeIterator()
        var pending = iterator.next()
        while let scalar = pending {
            pending = iterator.next()
            if scalar == "\r" {
                if pending == "\n" { pending = iterator.next() }
                scalars.append("\n")
            } else {
                scalars.append(scalar)
            }
        }
        if scalars.last == "\n" { scalars.removeLast() }
        text = scalars
        for (offset, scalar) in scalars.enumerated() where scalar == "\n" { lineStarts.append(offset + 1) }
    }

    /// All tokens, ending with `.end`.
    static func tokenize(_ source: String) throws(TemplateFailure) -> [TemplateToken] {
        var lexer = TemplateLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    func position(_ offset: Int) -> SourcePosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourcePosition(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    func fail(_ problem: String, at offset: Int) -> TemplateFailure {
        TemplateFailure(position: position(offset), problem: problem)
    }

    func starts(with literal: String, at offset: Int) -> Bool {
        var cursor = offset
        for scalar in literal.unicodeScalars {
            guard cursor < text.count, text[cursor] == scalar else { return false }
            cursor += 1
        }
        return true
    }

    private mutating func run() throws(TemplateFailure) {
        while index < text.count {
            guard let tagStart = nextTagStart(from: index) else {
                emitData(from: index, to: text.count, at: index)
                break
            }
            let opener = text[tagStart + 1]
            var sign: Unicode.Scalar?
            if tagStart + 2 < text.count, text[tagStart + 2] == "-" || text[tagStart + 2] == "+" {
                sign = text[tagStart + 2]
            }
            var dataEnd = tagStart
            if sign == "-" {
                while dataEnd > index && text[dataEnd - 1].properties.isWhitespace { dataEnd -= 1 }
            } else if sign != "+" && opener != "{" {
                dataEnd = lstripEnd(from: index, to: tagStart)
            }
            emitData(from: index, to: dataEnd, at: index)
            index = tagStart + 2 + (sign == nil ? 0 : 1)
            switch opener {
            case "#": try skipComment(openedAt: tagStart)
            case "{": try lexTag(openedAt: tagStart, isBlock: false)
            default: if try !lexRaw(openedAt: tagStart) { try lexTag(openedAt: tagStart, isBlock: true) }
            }
        }
        tokens.append(TemplateToken(kind: .end, position: position(text.count)))
    }

    private func nextTagStart(from start: Int) -> Int? {
        var cursor = start
        while cursor + 1 < text.count {
            if text[cursor] == "{" {
                let next = text[cursor + 1]
                if next == "{" || next == "%" || next == "#" { return cursor }
            }
            cursor += 1
        }
        return nil
    }

    /// Where data before a block tag ends once `lstrip_blocks` has removed
    /// the white space between the last newline and the tag.
    func lstripEnd(from start: Int, to tagStart: Int) -> Int {
        var lineStart = tagStart
        while lineStart > start && text[lineStart - 1] != "\n" { lineStart -= 1 }
        guard lineStart > start || lineStarting, lineStart < tagStart else { return tagStart }
        for offset in lineStart..<tagStart where !text[offset].properties.isWhitespace { return tagStart }
        return lineStart
    }

    mutating func emitData(from start: Int, to end: Int, at offset: Int) {
        guard end > start else { return }
        var data = ""
        data.unicodeScalars.append(contentsOf: text[start..<end])
        tokens.append(TemplateToken(kind: .data(data), position: position(offset)))
    }

    /// Skips white space after a `-` closing delimiter, or one newline
    /// after a plain `%}` or `#}` (trim_blocks), and records whether the
    /// delimiter ended a line.
    mutating func finishDelimiter(stripsAll: Bool, trims: Bool) {
        if stripsAll {
            while index < text.count && text[index].properties.isWhitespace { index += 1 }
        } else if trims && index < text.count && text[index] == "\n" {
            index += 1
        }
        lineStarting = index > 0 && text[index - 1] == "\n"
    }

    private mutating func skipComment(openedAt tagStart: Int) throws(TemplateFailure) {
        var cursor = index
        while cursor < text.count {
            if starts(with: "+#}", at: cursor) {
                index = cursor + 3
                finishDelimiter(stripsAll: false, trims: false)
                return
            }
            if starts(with: "-#}", at: cursor) {
                index = cursor + 3
                finishDelimiter(stripsAll: true, trims: false)
                return
            }
            if starts(with: "#}", at: cursor) {
                index = cursor + 2
                finishDelimiter(stripsAll: false, trims: true)
                return
            }
            cursor += 1
        }
        throw fail("comment '{#' is never closed with '#}'", at: tagStart)
    }

    private mutating func lexTag(openedAt tagStart: Int, isBlock: Bool) throws(TemplateFailure) {
        tokens.append(TemplateToken(kind: isBlock ? .blockBegin : .variableBegin, position: position(tagStart)))
        var brackets: [Unicode.Scalar] = []
        let closer = isBlock ? "%}" : "}}"
        while true {
            guard index < text.count else {
                throw fail("'\(isBlock ? "{%" : "{{")' is never closed with '\(closer)'", at: tagStart)
            }
            if brackets.isEmpty {
                let endStart = index
                if isBlock && starts(with: "+%}", at: index) {
                    index += 3
                    tokens.append(TemplateToken(kind: .blockEnd, position: position(endStart)))
                    finishDelimiter(stripsAll: false, trims: false)
                    return
                }
                if starts(with: "-" + closer, at: index) || starts(with: closer, at: index) {
                    let stripsAll = text[index] == "-"
                    index += stripsAll ? 3 : 2
                    tokens.append(TemplateToken(kind: isBlock ? .blockEnd : .variableEnd, position: position(endStart)))
                    finishDelimiter(stripsAll: stripsAll, trims: isBlock)
                    return
                }
            }
            let scalar = text[index]
            if scalar.properties.isWhitespace {
                index += 1
            } else if ("0"..."9").contains(scalar) {
                try lexNumber()
            } else if scalar == "_" || scalar.properties.isXIDStart {
                let start = index
                while index < text.count && (text[index] == "_" || text[index].properties.isXIDContinue) { index += 1 }
                var name = ""
                name.unicodeScalars.append(contentsOf: text[start..<index])
                tokens.append(TemplateToken(kind: .name(name), position: position(start)))
            } else if scalar == "'" || scalar == "\"" {
                try lexString()
            } else {
                try lexOperator(brackets: &brackets)
            }
        }
    }
}
