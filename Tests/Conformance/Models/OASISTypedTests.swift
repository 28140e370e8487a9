// Every OASIS test-case file of KMIP 1.0 to 2.1 decodes into typed messages (strictly, with no raw
// payload for an operation the library models) and encodes back to an equal tree.

import Foundation
import Testing
import KMIPVectorCheck

@Suite("OASIS test-case vectors, typed level")
struct OASISTypedTests {
    static let knownFailures = OASISCodecTests.knownFailures

    @Test("tree -> typed message -> tree, or fails as listed", arguments: OASISCodecTests.files)
    func typedRoundTrip(_ path: String) throws {
        let data = try [UInt8](Data(contentsOf: Repository.url("Vectors/" + path)))
        let failure = CodecCheck().failure(forXML: data) ?? TypedCheck().failure(forXML: data)
        let reason = Self.knownFailures.reason(for: path, check: "codec") ?? Self.knownFailures.reason(for: path, check: "typed")
        if let reason {
            #expect(failure != nil, "listed as a known failure (\(reason)) but passes")
        } else {
            #expect(failure == nil, "\(failure ?? "")")
        }
    }

    @Test("only KMIP 3.0 drafts are listed as typed failures")
    func onlyDraftsFail() {
        let typed = Self.knownFailures.entries.filter { $0.check == "typed" }
        #expect(!typed.isEmpty)
        for entry in typed {
            #expect(entry.path.hasPrefix("oasis-xml/3.0/"), "\(entry.path)")
        }
    }
}
