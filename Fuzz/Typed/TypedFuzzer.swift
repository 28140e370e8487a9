// libFuzzer target for the typed models (Sources/KMIP) on any TTLV input.
//
// Built by Fuzz/fuzz.sh against KMIPTTLV, KMIPXML and KMIP. Invariants checked on every input
// that decodes to a Request or Response Message tree:
//   - typed decoding (strict and tolerant) never crashes, whatever the tree;
//   - a typed message that encodes for its own version decodes strictly, and that typed message
//     encodes to the same tree again (encoding normalises once: the Batch Count is recomputed, a
//     required attributes container is written empty when absent; after that it is stable);
//   - descriptions of typed messages render without crashing.

import KMIP

@_cdecl("LLVMFuzzerTestOneInput")
public func typedFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    var options = TTLVDecodingOptions(maximumMessageSize: 1 << 20, maximumDepth: 32, maximumItemCount: 10_000)
    options.strictness = .tolerant
    guard let tree = try? TTLVDecoder(options: options).decode(input) else { return 0 }
    for context in [KMIPDecodingContext.strict, .tolerant] {
        if tree.tag == .requestMessage, let message = try? RequestMessage(tree: tree, context: context) {
            _ = String(describing: message)
            if let once = try? message.tree() {
                guard let back = try? RequestMessage(tree: once, context: .strict) else {
                    fatalError("an encoded typed request does not decode strictly")
                }
                guard let twice = try? back.tree(), twice == once else { fatalError("typed request encoding is not stable") }
            }
        }
        if tree.tag == .responseMessage, let message = try? ResponseMessage(tree: tree, context: context) {
            _ = String(describing: message)
            if let once = try? message.tree() {
                guard let back = try? ResponseMessage(tree: once, context: .strict) else {
                    fatalError("an encoded typed response does not decode strictly")
                }
                guard let twice = try? back.tree(), twice == once else { fatalError("typed response encoding is not stable") }
            }
        }
    }
    return 0
}
