/// Oniguruma's case-insensitive matching (`(?i)`) for single scalars: two scalars match when they have the same
/// simple case folding (CaseFolding.txt status C and S), so `(?i)s` also matches `ſ` (U+017F) and `(?i)k` the
/// Kelvin sign (U+212A), while `ı` (U+0131) stays apart from `i`. Oniguruma also folds one scalar onto several
/// (`ß` onto `ss`, `ﬆ` onto `st`); that is refused rather than matched differently.
enum CaseFolding {
    /// Every scalar that changes under case mapping, grouped by its folding.
    static let classes: [UInt32: [UInt32]] = {
        var classes: [UInt32: [UInt32]] = [:]
        for value in UInt32(0)..<0x20000 {
            guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else { continue }
            classes[folding(of: value), default: []].append(value)
        }
        return classes
    }()

    /// The scalars whose case mapping is more than one scalar (`ß`, `ŉ`, `İ`, the ligatures): inside `(?i)`
    /// Oniguruma lets a literal or a non-negated class holding one of them match the several scalars it folds to
    /// (`ß` and `[\w]` match `ſſ`).
    static let multiScalarFolders: [UInt32] = (UInt32(0)..<0x20000).filter(hasMultiScalarMapping)

    /// The simple case folding of `value`: the lowercase of its uppercase, when both are one scalar.
    static func folding(of value: UInt32) -> UInt32 {
        guard value != 0x131, let scalar = Unicode.Scalar(value) else { return value }  // dotless i folds to itself
        let upper = single(scalar.properties.uppercaseMapping) ?? scalar
        return (single(upper.properties.lowercaseMapping) ?? upper).value
    }

    /// Whether some scalar's case mapping is more than one scalar, as for `ß`, `ŉ`, `İ` and the ligatures.
    static func hasMultiScalarMapping(_ value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        let properties = scalar.properties
        return properties.uppercaseMapping.unicodeScalars.count > 1
            || properties.lowercaseMapping.unicodeScalars.count > 1
    }

    /// Whether two literal scalars in a row spell what a ligature or `ß` folds to (`ss`, `st`, `ff`, `fi`, `fl`).
    static func formsMultiScalarFoldTarget(_ first: UInt32, _ second: UInt32) -> Bool {
        let pair = (folding(of: first), folding(of: second))
        let targets: [(UInt32, UInt32)] = [(0x73, 0x73), (0x73, 0x74), (0x66, 0x66), (0x66, 0x69), (0x66, 0x6C)]
        return targets.contains { $0 == pair }
    }

    /// The scalars case-insensitively equal to `value`, itself included.
    static func variants(of value: UInt32) -> [UInt32] {
        classes[folding(of: value)] ?? [value]
    }

    /// `set` with the case variants of its explicit scalars added (properties such as `\p{Ll}` are not folded,
    /// as in Oniguruma); thrown at `offset` when the set holds a scalar Oniguruma would fold onto several.
    static func closure(of set: ScalarSet, at offset: Int) throws(TokenPatternError) -> ScalarSet {
        let limit = 0x4000
        guard set.ranges.reduce(0, { $0 + Int($1.count) }) <= limit else {
            throw TokenPatternError(offset: offset, problem: "case-insensitive range too large (over \(limit))")
        }
        let table = ScalarClass.table
        // Only literals and non-negated classes fold onto several scalars (`(?i)[^ß]` and `(?i)\w` do not).
        if !set.isNegated,
            let value = multiScalarFolders.first(where: { set.contains($0, properties: table.properties(of: $0)) })
        {
            let hex = String(value, radix: 16, uppercase: true)
            throw TokenPatternError(offset: offset, problem: "case-insensitive U+\(hex) folds to several characters")
        }
        var folded = set
        for range in set.ranges {
            for value in range {
                for variant in variants(of: value) where variant != value { folded.ranges.append(variant...variant) }
            }
        }
        return folded
    }

    private static func single(_ text: String) -> Unicode.Scalar? {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next(), scalars.next() == nil else { return nil }
        return first
    }
}
