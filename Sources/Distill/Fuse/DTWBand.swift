/// The cells a banded dynamic time warping computes: for each target index
/// j, the teacher indices within `halfWidth` of the diagonal through the two
/// corners, c(j) = round(j · (m − 1) / (n − 1)).
///
/// The half-width is widened to at least the diagonal's slope step, so the
/// windows of neighbouring columns touch and a monotone path from corner to
/// corner always exists; a half-width of m or more keeps every cell.
struct DTWBand {
    /// The number of teacher tokens, m (the rows).
    let teacherCount: Int
    /// The number of target tokens, n (the columns).
    let targetCount: Int
    /// How far a kept cell's teacher index may lie from c(j).
    let halfWidth: Int
    /// The most cells a column keeps: the stride of the flat cost storage.
    let columnCapacity: Int

    /// The band for `teacherCount` by `targetCount` cells (both at least 1)
    /// and a requested half-width of `band` (negative counts as 0).
    init(teacherCount: Int, targetCount: Int, band: Int) {
        self.teacherCount = teacherCount
        self.targetCount = targetCount
        let slopeStep =
            targetCount == 1
            ? teacherCount - 1
            : (teacherCount - 1 + targetCount - 2) / (targetCount - 1)
        halfWidth = min(max(band, slopeStep, 0), teacherCount)
        columnCapacity = min(2 * halfWidth + 1, teacherCount)
    }

    /// The teacher index on the corner-to-corner diagonal at target index `column`.
    func center(_ column: Int) -> Int {
        guard targetCount > 1 else { return 0 }
        // Rounds half up, in integers.
        return (2 * column * (teacherCount - 1) + targetCount - 1) / (2 * (targetCount - 1))
    }

    /// The first teacher index kept in `column`.
    func low(_ column: Int) -> Int { max(0, center(column) - halfWidth) }

    /// The last teacher index kept in `column`.
    func high(_ column: Int) -> Int { min(teacherCount - 1, center(column) + halfWidth) }
}
