import Foundation

/// A local date and time for `strftime_now`, formatted as Python's
/// `datetime.strftime` does for the directives chat templates use. Renders
/// take the clock's time unless given one, so tests can fix it.
public struct TemplateTime: Sendable, Equatable {
    /// The calendar date (Gregorian), month and day 1-based.
    public let year: Int
    public let month: Int
    public let day: Int
    /// The time of day, hour 0–23.
    public let hour: Int
    public let minute: Int
    public let second: Int

    /// A given date and time (month and day 1-based, hour 0–23).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The local time now, as Python's `datetime.now()`.
    public static func now() -> TemplateTime {
        let parts = Calendar(identifier: .gregorian).dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date())
        return TemplateTime(
            year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1, hour: parts.hour ?? 0,
            minute: parts.minute ?? 0, second: parts.second ?? 0)
    }

    private static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let dayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// 0 for Monday, as Python's `weekday()` (Sakamoto's method).
    private var weekday: Int {
        let offsets = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4]
        let y = month < 3 ? year - 1 : year
        let sundayBased = (y + y / 4 - y / 100 + y / 400 + offsets[max(1, min(12, month)) - 1] + day) % 7
        return (sundayBased + 6) % 7
    }

    private static func padded(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// `strftime(format)` for %d %m %Y %y %b %B %a %A %H %I %p %M %S %j %%; other directives stay as written.
    public func formatted(_ format: String) -> String {
        let monthName = Self.monthNames[max(1, min(12, month)) - 1]
        let dayName = Self.dayNames[weekday]
        var result = ""
        var escaped = false
        for character in format {
            guard escaped else {
                if character == "%" { escaped = true } else { result.append(character) }
                continue
            }
            escaped = false
            switch character {
            case "d": result += Self.padded(day)
            case "m": result += Self.padded(month)
            case "Y": result += String(year)
            case "y": result += Self.padded(year % 100)
            case "b": result += String(monthName.prefix(3))
            case "B": result += monthName
            case "a": result += String(dayName.prefix(3))
            case "A": result += dayName
            case "H": result += Self.padded(hour)
            case "I": result += Self.padded(hour % 12 == 0 ? 12 : hour % 12)
            case "p": result += hour < 12 ? "AM" : "PM"
            case "M": result += Self.padded(minute)
            case "S": result += Self.padded(second)
            case "j": result += Self.padded(dayOfYear, 3)
            case "%": result += "%"
            default: result += "%" + String(character)
            }
        }
        return result
    }

    private var dayOfYear: Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return lengths.prefix(max(0, min(12, month) - 1)).reduce(0, +) + day
    }
}
