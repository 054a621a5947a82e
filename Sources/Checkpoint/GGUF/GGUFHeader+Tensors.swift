extension GGUFCursor {
    /// One tensor info: name, dimension count, dimensions (ggml order), type
    /// and data offset. Returns the info and where its offset field is, for
    /// the layout check's messages.
    mutating func tensorInfo(
        index: Int, names: inout Set<String>
    ) throws(GGUFError) -> (GGUFTensorInfo, offsetField: Int) {
        let nameOffset = offset
        let name = try string(what: "the name of tensor \(index)", maximumLength: GGUFHeader.maximumTensorNameLength)
        guard !name.isEmpty else { throw error(.empty(what: "the name of tensor \(index)"), at: nameOffset) }
        // llama.cpp keeps names as C strings: "a\0b" would read as "a".
        guard !name.utf8.contains(0) else { throw error(.nulInTensorName(name), at: nameOffset) }
        guard names.insert(name).inserted else { throw error(.duplicateTensorName(name), at: nameOffset) }

        let countOffset = offset
        let dimensionCount = try integer(UInt32.self, what: "the dimension count of tensor \"\(name)\"")
        guard dimensionCount <= GGUFHeader.maximumDimensionCount else {
            throw error(
                .tooManyDimensions(tensor: name, count: dimensionCount, limit: GGUFHeader.maximumDimensionCount),
                at: countOffset)
        }
        let dimensionsOffset = offset
        var dimensions: [UInt64] = []
        for _ in 0..<dimensionCount {
            dimensions.append(try integer(UInt64.self, what: "the dimensions of tensor \"\(name)\""))
        }
        // A zero dimension (no elements) is valid, as in llama.cpp and safetensors.
        guard SafeTensorsHeader.shapeFitsInt(dimensions) else {
            throw error(.shapeTooLarge(tensor: name, dimensions: dimensions), at: dimensionsOffset)
        }

        let typeOffset = offset
        let rawType = try integer(UInt32.self, what: "the type of tensor \"\(name)\"")
        guard let type = GGMLType(rawValue: rawType) else {
            throw error(.unknownTensorType(tensor: name, type: rawType), at: typeOffset)
        }
        let rowLength = dimensions.first ?? 1
        guard rowLength % UInt64(type.blockElementCount) == 0 else {
            throw error(.rowNotWholeBlocks(tensor: name, type: type, rowLength: rowLength), at: typeOffset)
        }
        let elementCount = dimensions.reduce(1, *)  // checked: shapeFitsInt bounds the product by Int.max
        let (byteCount, overflow) = (elementCount / UInt64(type.blockElementCount))
            .multipliedReportingOverflow(by: UInt64(type.blockByteCount))
        guard !overflow else { throw error(.shapeTooLarge(tensor: name, dimensions: dimensions), at: dimensionsOffset) }

        let offsetField = offset
        let dataOffset = try integer(UInt64.self, what: "the data offset of tensor \"\(name)\"")
        let tensor = GGUFTensorInfo(
            name: name, type: type, dimensions: dimensions.map { Int($0) },  // checked: each fits Int (shapeFitsInt)
            offset: dataOffset, elementCount: Int(elementCount), byteCount: byteCount)
        return (tensor, offsetField)
    }
}

extension GGUFHeader {
    /// The data section as llama.cpp lays it out and checks it: tensor i
    /// starts where tensor i − 1 ends, rounded up to the alignment (the
    /// first at 0), and ends inside the file; after the last tensor (or
    /// the header, with no tensors) come at most its padding bytes.
    static func checkLayout(
        _ tensors: [GGUFTensorInfo], offsetFields: [Int], cursor: GGUFCursor, alignment: UInt64, headerEnd: UInt64,
        dataStart: UInt64
    ) throws(GGUFError) {
        let fileSize = UInt64(cursor.bytes.count)
        var expected: UInt64 = 0
        var end = headerEnd
        for (tensor, field) in zip(tensors, offsetFields) {
            let offset = tensor.offset
            guard offset % alignment == 0 else {
                throw cursor.error(
                    .offsetMisaligned(tensor: tensor.name, offset: offset, alignment: alignment), at: field)
            }
            guard offset >= expected else {
                throw cursor.error(.offsetOverlaps(tensor: tensor.name, offset: offset, expected: expected), at: field)
            }
            guard offset == expected else {
                throw cursor.error(.offsetGap(tensor: tensor.name, offset: offset, expected: expected), at: field)
            }
            let (start, startOverflow) = dataStart.addingReportingOverflow(offset)
            let (tensorEnd, endOverflow) = start.addingReportingOverflow(tensor.byteCount)
            guard !startOverflow, !endOverflow, tensorEnd <= fileSize else {
                let stated = startOverflow || endOverflow ? UInt64.max : tensorEnd
                throw cursor.error(.dataBeyondFile(tensor: tensor.name, end: stated, fileSize: fileSize), at: field)
            }
            end = tensorEnd
            expected = alignUp(offset + tensor.byteCount, to: alignment)  // checked: below the file size, < 2^63
        }
        let paddedEnd = alignUp(end, to: alignment)  // checked: end <= file size < 2^63
        guard fileSize <= paddedEnd else {
            throw cursor.error(.trailingBytes(count: fileSize - paddedEnd), at: Int(paddedEnd))
        }
    }
}
