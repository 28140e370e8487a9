// libFuzzer target for the XML decoder and test-case reader.
//
// Built by Fuzz/fuzz.sh against the KMIPTTLV and KMIPXML modules (swiftc -sanitize=fuzzer,address).
// Invariants: reading never crashes or hangs; whatever reads writes back, and the written XML
// reads to the same tree (and the same placeholders for a test case).

import KMIPXML

@_cdecl("LLVMFuzzerTestOneInput")
public func xmlFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let options = TextDecodingOptions(maximumDocumentSize: 1 << 20, maximumDepth: 32, maximumItemCount: 10_000)
    if let item = try? KMIPXMLDecoder(options: options).decode(input) {
        guard let again = try? KMIPXMLDecoder(options: options).decode(KMIPXMLEncoder().encode(item)) else {
            fatalError("written XML does not read back")
        }
        if again != item { fatalError("XML round trip changed the tree") }
        _ = try? TTLVEncoder().encode(item)
    }
    if let testCase = try? KMIPTestCase(xml: input, options: options) {
        guard let again = try? KMIPTestCase(xml: testCase.xml(), options: options) else { fatalError("written test case does not read back") }
        if again != testCase { fatalError("test-case round trip changed it") }
    }
    return 0
}
