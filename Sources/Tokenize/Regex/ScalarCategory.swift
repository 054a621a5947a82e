/// A Unicode general category as a small number, so a scalar's category, its `\s` and its `\w` membership fit in one
/// byte of `ScalarClass`'s table (Unicode Standard, section 4.5).
public enum ScalarCategory: UInt8, CaseIterable, Sendable {
    /// Letters: `Lu Ll Lt Lm Lo`.
    case uppercaseLetter, lowercaseLetter, titlecaseLetter, modifierLetter, otherLetter
    /// Marks: `Mn Mc Me`.
    case nonspacingMark, spacingMark, enclosingMark
    /// Numbers: `Nd Nl No`.
    case decimalNumber, letterNumber, otherNumber
    /// Punctuation: `Pc Pd Ps Pe Pi`.
    case connectorPunctuation, dashPunctuation, openPunctuation, closePunctuation, initialPunctuation
    /// Punctuation: `Pf Po`.
    case finalPunctuation, otherPunctuation
    /// Symbols: `Sm Sc Sk So`.
    case mathSymbol, currencySymbol, modifierSymbol, otherSymbol
    /// Separators: `Zs Zl Zp`.
    case spaceSeparator, lineSeparator, paragraphSeparator
    /// Others: `Cc Cf Cs Co Cn`.
    case control, format, surrogate, privateUse, unassigned

    /// The category Swift's Unicode tables give.
    init(_ category: Unicode.GeneralCategory) {
        switch category {
        case .uppercaseLetter: self = .uppercaseLetter
        case .lowercaseLetter: self = .lowercaseLetter
        case .titlecaseLetter: self = .titlecaseLetter
        case .modifierLetter: self = .modifierLetter
        case .otherLetter: self = .otherLetter
        case .nonspacingMark: self = .nonspacingMark
        case .spacingMark: self = .spacingMark
        case .enclosingMark: self = .enclosingMark
        case .decimalNumber: self = .decimalNumber
        case .letterNumber: self = .letterNumber
        case .otherNumber: self = .otherNumber
        case .connectorPunctuation: self = .connectorPunctuation
        case .dashPunctuation: self = .dashPunctuation
        case .openPunctuation: self = .openPunctuation
        case .closePunctuation: self = .closePunctuation
        case .initialPunctuation: self = .initialPunctuation
        case .finalPunctuation: self = .finalPunctuation
        case .otherPunctuation: self = .otherPunctuation
        case .mathSymbol: self = .mathSymbol
        case .currencySymbol: self = .currencySymbol
        case .modifierSymbol: self = .modifierSymbol
        case .otherSymbol: self = .otherSymbol
        case .spaceSeparator: self = .spaceSeparator
        case .lineSeparator: self = .lineSeparator
        case .paragraphSeparator: self = .paragraphSeparator
        case .control: self = .control
        case .format: self = .format
        case .surrogate: self = .surrogate
        case .privateUse: self = .privateUse
        case .unassigned: self = .unassigned
        @unknown default: self = .unassigned
        }
    }

    /// The two-letter abbreviations in `ScalarCategory` order (`Lu` is `uppercaseLetter`).
    static let abbreviations = [
        "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn",
    ]

    /// The long property-value aliases of PropertyValueAliases.txt, in `ScalarCategory` order.
    static let longNames = [
        "Uppercase_Letter", "Lowercase_Letter", "Titlecase_Letter", "Modifier_Letter", "Other_Letter",
        "Nonspacing_Mark", "Spacing_Mark", "Enclosing_Mark", "Decimal_Number", "Letter_Number", "Other_Number",
        "Connector_Punctuation", "Dash_Punctuation", "Open_Punctuation", "Close_Punctuation",
        "Initial_Punctuation", "Final_Punctuation", "Other_Punctuation", "Math_Symbol", "Currency_Symbol",
        "Modifier_Symbol", "Other_Symbol", "Space_Separator", "Line_Separator", "Paragraph_Separator", "Control",
        "Format", "Surrogate", "Private_Use", "Unassigned",
    ]

    /// The one-letter groups (`\p{L}` and its long name `Letter`), by the first letter of the abbreviation.
    static let groups: [(short: String, long: String)] = [
        ("L", "Letter"), ("M", "Mark"), ("N", "Number"), ("P", "Punctuation"), ("S", "Symbol"), ("Z", "Separator"),
        ("C", "Other"),
    ]

    /// The categories a `\p{name}` names, matched as Oniguruma does: case, spaces, `-` and `_` ignored.
    static func named(_ name: String) -> [ScalarCategory]? {
        let key = canonical(name)
        for (short, long) in groups where key == canonical(short) || key == canonical(long) {
            return allCases.filter { abbreviations[Int($0.rawValue)].hasPrefix(short) }
        }
        for category in allCases {
            let index = Int(category.rawValue)
            if key == canonical(abbreviations[index]) || key == canonical(longNames[index]) { return [category] }
        }
        return nil
    }

    private static func canonical(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }
}
