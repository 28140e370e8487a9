// libFuzzer target for the TTLV decoder, the framer and the dump.
//
// Built by Fuzz/fuzz.sh against the KMIPTTLV module (swiftc -sanitize=fuzzer,address).
// Invariants checked on every input:
//   - decoding never crashes, whatever the bytes (strict and tolerant rules);
//   - whatever decodes re-encodes, and the encoding decodes to the same tree;
//   - the framer cuts the same bytes, fed in odd chunks, without crashing;
//   - the dump renders any tree.

import KMIPTTLV

@_cdecl("LLVMFuzzerTestOneInput")
public func ttlvFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let limits = TTLVDecodingOptions(maximumMessageSize: 1 << 20, maximumDepth: 32, maximumItemCount: 10_000)
    for strictness in [TTLVDecodingOptions.Strictness.strict, .tolerant] {
        var options = limits
        options.strictness = strictness
        guard let tree = try? TTLVDecoder(options: options).decode(input) else { continue }
        guard let wire = try? TTLVEncoder().encode(tree) else { fatalError("a decoded tree does not encode") }
        guard let again = try? TTLVDecoder(options: limits).decode(wire) else { fatalError("an encoded tree does not decode strictly") }
        if again != tree { fatalError("decode(encode(tree)) differs from tree") }
        _ = tree.dump(revealingSecrets: strictness == .strict)
    }
    var framer = TTLVFrameDecoder(maximumMessageSize: 1 << 16)
    var offset = 0
    var chunk = 1
    while offset < size {
        let end = min(size, offset + chunk)
        framer.append(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
        do {
            while let message = try framer.nextMessage() {
                _ = try? TTLVDecoder(options: limits).decode(message)
            }
        } catch {
            break
        }
        offset = end
        chunk = chunk * 2 + 1
    }
    return 0
}
