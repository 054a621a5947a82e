import Compute
import Testing

/// `VectorLoops.countAboveMarkingInside` counts the keys above the range
/// and the hot key's occurrences inside it, and marks exactly the groups
/// of eight that hold another key inside, as a scalar loop would.
@Suite struct CountAboveTests {
    @Test(arguments: [UInt32(0x3A00_0000), 0x3900_0000, 0x7FFF_FFFF])
    func countsAboveAndHotAndMarksTheOtherGroups(hot: UInt32) {
        let count = 8 * 500
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let base = [Float](repeating: 0, count: count)
        let values = (0..<count).map { index -> Float in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            // Half the keys the hot value, the rest spread around the range.
            if state % 2 == 0 { return Float(bitPattern: hot) }
            return Float(bitPattern: 0x3800_0000 + UInt32(truncatingIfNeeded: state >> 40) % 0x0400_0000)
        }
        let lowest: UInt32 = 0x3980_0000, highest: UInt32 = 0x3A80_0000
        var groups = [Int32](repeating: -1, count: count / 8)
        let result = groups.withUnsafeMutableBufferPointer { groupBuffer in
            VectorLoops.countAboveMarkingInside(
                values, base, flip: 0, lowest: lowest, highest: highest, hot: hot, count: count,
                groups: groupBuffer.baseAddress!)
        }
        let keys = zip(values, base).map { abs($0 - $1).bitPattern }
        let inside = { (key: UInt32) in key >= lowest && key <= highest }
        #expect(result.above == keys.filter { $0 > highest }.count)
        #expect(result.hot == keys.filter { inside($0) && $0 == hot }.count)
        let marked = stride(from: 0, to: count, by: 8).filter { start in
            keys[start..<start + 8].contains { inside($0) && $0 != hot }
        }
        #expect(Array(groups.prefix(result.groupCount)) == marked.map { Int32($0) })
        #expect(result.hot > 0 || !inside(hot))
    }
}
