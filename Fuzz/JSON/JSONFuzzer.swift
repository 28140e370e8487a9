// libFuzzer target for the JSON decoder.
//
// Built by Fuzz/fuzz.sh against the KMIPTTLV and KMIPXML modules (swiftc -sanitize=fuzzer,address).
// Invariants: reading never crashes or hangs; whatever reads writes back to JSON that reads to the
// same tree.

import KMIPXML

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let options = TextDecodingOptions(maximumDocumentSize: 1 << 20, maximumDepth: 32, maximumItemCount: 10_000)
    if let item = try? KMIPJSONDecoder(options: options).decode(input) {
        guard let again = try? KMIPJSONDecoder(options: options).decode(KMIPJSONEncoder().encode(item)) else {
            fatalError("written JSON does not read back")
        }
        if again != item { fatalError("JSON round trip changed the tree") }
    }
    if let testCase = try? KMIPTestCase(json: input, options: options) {
        guard let again = try? KMIPTestCase(json: testCase.json(), options: options) else { fatalError("written test case does not read back") }
        if again != testCase { fatalError("test-case round trip changed it") }
    }
    return 0
}
