import Testing
@testable import Merge
