/// `{% raw %}…{% endraw %}`: text passed through untouched, as jinja2's
/// lexer does (no `trim_blocks` after `raw`, but `-` and `lstrip_blocks`
/// apply around both tags).
extension TemplateLexer {
    /// The offset after `word` and the white space around it, if `word` is there.
    private func skipWord(_ word: String, at offset: Int) -> Int? {
        var cursor = offset
        while cursor < text.count && text[cursor].properties.isWhitespace { cursor += 1 }
        guard starts(with: word, at: cursor) else { return nil }
        cursor += word.unicodeScalars.count
        guard cursor < text.count, text[cursor].properties.isWhitespace || text[cursor] == "-" || text[cursor] == "%"
        else { return nil }
        while cursor < text.count && text[cursor].properties.isWhitespace { cursor += 1 }
        return cursor
    }

    /// Lexes a raw block whose `{%` starts at `tagStart` (its sign already
    /// consumed up to `index`); false if the tag is not `raw`.
    mutating func lexRaw(openedAt tagStart: Int) throws(TemplateFailure) -> Bool {
        guard let afterWord = skipWord("raw", at: index) else { return false }
        if starts(with: "-%}", at: afterWord) {
            index = afterWord + 3
            finishDelimiter(stripsAll: true, trims: false)
        } else if starts(with: "%}", at: afterWord) {
            index = afterWord + 2
            finishDelimiter(stripsAll: false, trims: false)
        } else {
            return false
        }
        let contentStart = index
        var cursor = index
        while let tag = nextRawEnd(from: cursor) {
            cursor = tag.start + 2
            var dataEnd = tag.start
            if tag.sign == "-" {
                while dataEnd > contentStart && text[dataEnd - 1].properties.isWhitespace { dataEnd -= 1 }
            } else if tag.sign != "+" {
                dataEnd = lstripEnd(from: contentStart, to: tag.start)
            }
            emitData(from: contentStart, to: dataEnd, at: contentStart)
            index = tag.end
            finishDelimiter(stripsAll: tag.stripsAfter, trims: tag.trims)
            return true
        }
        throw fail("raw block is never closed with '{% endraw %}'", at: tagStart)
    }

    private func nextRawEnd(
        from start: Int
    ) -> (start: Int, sign: Unicode.Scalar?, end: Int, stripsAfter: Bool, trims: Bool)? {
        var cursor = start
        while cursor + 1 < text.count {
            defer { cursor += 1 }
            guard text[cursor] == "{", text[cursor + 1] == "%" else { continue }
            var offset = cursor + 2
            var sign: Unicode.Scalar?
            if offset < text.count, text[offset] == "-" || text[offset] == "+" {
                sign = text[offset]
                offset += 1
            }
            guard let afterWord = skipWord("endraw", at: offset) else { continue }
            if starts(with: "+%}", at: afterWord) { return (cursor, sign, afterWord + 3, false, false) }
            if starts(with: "-%}", at: afterWord) { return (cursor, sign, afterWord + 3, true, false) }
            if starts(with: "%}", at: afterWord) { return (cursor, sign, afterWord + 2, false, true) }
        }
        return nil
    }
}
