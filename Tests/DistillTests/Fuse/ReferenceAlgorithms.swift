/// Plain transcriptions of the algorithms the Fuse building blocks speed
/// up, written for clarity, to compare against.
enum Reference {
    /// Levenshtein distance by the full Wagner–Fischer matrix.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { matrix[i][0] = i }
        for j in 0...b.count { matrix[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = matrix[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                matrix[i][j] = min(substitution, matrix[i - 1][j] + 1, matrix[i][j - 1] + 1)
            }
        }
        return matrix[a.count][b.count]
    }

    /// The id nearest to `query` by trying every id.
    static func nearest(_ query: [UInt8], in tokens: [[UInt8]]) -> Int32 {
        var best = Int.max
        var bestID = -1
        for (id, token) in tokens.enumerated() {
            let distance = editDistance(query, token)
            if distance < best {
                best = distance
                bestID = id
            }
        }
        return Int32(bestID)
    }

    /// FuseLLM's `dtw` (others.py) line by line, with Double costs and
    /// `.infinity`, returning `mappings_series_2`.
    static func dtw(_ series1: [[UInt8]], _ series2: [[UInt8]]) -> [[Int]] {
        let rows = series1.count + 1
        let columns = series2.count + 1
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: columns), count: rows)
        for j in 0..<columns { matrix[0][j] = .infinity }
        for i in 0..<rows { matrix[i][0] = .infinity }
        matrix[0][0] = 0
        for (i, vec1) in series1.enumerated() {
            for (j, vec2) in series2.enumerated() {
                let cost = Double(editDistance(vec1, vec2))
                matrix[i + 1][j + 1] = cost + min(matrix[i][j + 1], matrix[i + 1][j], matrix[i][j])
            }
        }
        // matrix = matrix[1:, 1:]
        matrix = matrix.dropFirst().map { Array($0.dropFirst()) }
        var i = matrix.count - 1
        var j = matrix[0].count - 1
        var mappings1 = [[Int]](repeating: [], count: matrix.count)
        var mappings2 = [[Int]](repeating: [], count: matrix[0].count)
        while i > 0 || j > 0 {
            mappings1[i].append(j)
            mappings2[j].append(i)
            let optionDiagonal = i > 0 && j > 0 ? matrix[i - 1][j - 1] : .infinity
            let optionUp = i > 0 ? matrix[i - 1][j] : .infinity
            let optionLeft = j > 0 ? matrix[i][j - 1] : .infinity
            let options = [optionDiagonal, optionUp, optionLeft]
            // np.argmin: the first index of the minimum.
            let move = options.firstIndex(of: options.min()!)!
            if move == 0 {
                i -= 1
                j -= 1
            } else if move == 1 {
                i -= 1
            } else {
                j -= 1
            }
        }
        mappings1[0].append(0)
        mappings2[0].append(0)
        return mappings2.map { $0.reversed() }
    }
}

extension SplitMix64 {
    /// A byte string of `length` bytes drawn from the first `alphabet` letters.
    mutating func bytes(length: Int, alphabet: Int) -> [UInt8] {
        (0..<length).map { _ in UInt8(97 + below(alphabet)) }
    }
}
