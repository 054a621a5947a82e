import Base

/// A safetensors file read through `TensorReader`: plain dtypes, one
/// element per block, decoded with `DType.decode`.
extension SafeTensorsFile: TensorReader {
    static func tensorInfos(of header: SafeTensorsHeader) -> [TensorInfo] {
        header.tensors.map { entry in
            let width = max(1, entry.dtype.bitsPerElement / 8)
            return TensorInfo(
                name: entry.name, dtype: entry.dtype, encodingName: entry.dtype.rawValue,
                shape: entry.shape.map { Int($0) },  // checked: the header parser refuses shapes that do not fit Int
                elementCount: Int(entry.elementCount),  // checked: as above
                byteCount: entry.byteCount, blockElementCount: 1, blockByteCount: width)
        }
    }

    public func readRawBytes(
        ofTensor index: Int, _ range: Range<UInt64>, into destination: UnsafeMutableRawBufferPointer
    ) throws {
        try file.read(into: destination, at: fileRange(of: header.tensors[index]).lowerBound + range.lowerBound)
    }

    /// Reads with `pread` rather than touching the mapping, which keeps
    /// input pages out of the process's resident memory and turns a file
    /// that shrinks into an error, not a SIGBUS.
    public func decode(
        tensor index: Int, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableRawBufferPointer
    ) throws {
        let entry = header.tensors[index]
        guard entry.dtype.isConvertibleFloat else {
            throw TensorReaderError(file: path, tensor: entry.name, encoding: entry.dtype.rawValue)
        }
        let width = entry.dtype.bitsPerElement / 8
        let offset = fileRange(of: entry).lowerBound + UInt64(elements.lowerBound * width)
        if entry.dtype == .f32 {
            try file.read(into: UnsafeMutableRawBufferPointer(destination), at: offset)
            #if _endian(big)
            for index in destination.indices {
                destination[index] = Float(bitPattern: UInt32(littleEndian: destination[index].bitPattern))
            }
            #endif
            return
        }
        let bytes = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<elements.count * width])
        try file.read(into: bytes, at: offset)
        guard entry.dtype.decode(UnsafeRawBufferPointer(bytes), into: destination) else {
            throw TensorReaderError(file: path, tensor: entry.name, encoding: entry.dtype.rawValue)
        }
    }
}
