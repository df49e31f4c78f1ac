import Foundation
import Testing

@testable import SMSText

@Suite struct PhoneNumberTests {
    @Test(arguments: [
        ("+33612345678", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("0612/345678", "+33612345678"),
        ("(06) 12 34 56 78", "+33612345678"),
        ("01 23 45 67 89", "+33123456789"),
        ("09 87 65 43 21", "+33987654321"),
        ("0033612345678", "+33612345678"),
        ("00 33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+33(0)612345678", "+33612345678"),
        ("0033 (0)6 12 34 56 78", "+33612345678"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("  +33 6 12 34 56 78\n", "+33612345678"),
        ("+33\u{A0}6\u{A0}12\u{A0}34\u{A0}56\u{A0}78", "+33612345678"),
        ("+49 30 123456", "+4930123456"),
        ("+49 (0)30 123456", "+4930123456"),
        ("+1 (555) 123-4567", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+262 692 12 34 56", "+262692123456"),
        ("+12345678", "+12345678"),
        ("+123456789012345", "+123456789012345"),
    ])
    func accepts(input: String, e164: String) throws {
        let number = try PhoneNumber(parsing: input)
        #expect(number.e164 == e164)
        #expect(number.description == e164)
        #expect(try PhoneNumber(parsing: number.e164) == number)
    }

    @Test(arguments: [
        ("", PhoneNumberError.empty),
        ("   ", .empty),
        (" - . ", .empty),
        ("06 12 34 56 7A", .invalidCharacter(input: "06 12 34 56 7A", character: "A")),
        ("tel:0612345678", .invalidCharacter(input: "tel:0612345678", character: "t")),
        ("06 12 34 56 78 #2", .invalidCharacter(input: "06 12 34 56 78 #2", character: "#")),
        ("06_12_34_56_78", .invalidCharacter(input: "06_12_34_56_78", character: "_")),
        ("٠٦١٢٣٤٥٦٧٨", .invalidCharacter(input: "٠٦١٢٣٤٥٦٧٨", character: "٠")),
        ("06+12345678", .misplacedPlus(input: "06+12345678")),
        ("++33612345678", .misplacedPlus(input: "++33612345678")),
        ("33612345678", .missingInternationalPrefix(input: "33612345678")),
        ("612345678", .missingInternationalPrefix(input: "612345678")),
        ("061234567", .invalidNationalNumber(input: "061234567", digits: 9)),
        ("06123456789", .invalidNationalNumber(input: "06123456789", digits: 11)),
        ("0012", .tooShort(input: "0012", digits: 2)),
        ("+0612345678", .invalidCountryCode(input: "+0612345678")),
        ("000612345678", .invalidCountryCode(input: "000612345678")),
        ("+", .tooShort(input: "+", digits: 0)),
        ("+1234567", .tooShort(input: "+1234567", digits: 7)),
        ("+1234567890123456", .tooLong(input: "+1234567890123456", digits: 16)),
        ("+33 6 12 34 56", .invalidFrenchNumber(input: "+33 6 12 34 56")),
        ("+33 6 12 34 56 78 9", .invalidFrenchNumber(input: "+33 6 12 34 56 78 9")),
        ("+33 0 12 34 56 78", .invalidFrenchNumber(input: "+33 0 12 34 56 78")),
    ])
    func rejects(input: String, error: PhoneNumberError) {
        #expect(throws: error) { try PhoneNumber(parsing: input) }
    }

    @Test func errorMessagesNameTheInputAndTheFix() {
        #expect(
            PhoneNumberError.missingInternationalPrefix(input: "33612345678").description
                == "ambiguous phone number \"33612345678\": no international prefix; write it as +33612345678 (or 0033612345678)"
        )
        #expect(
            PhoneNumberError.invalidCharacter(input: "06 AB", character: "A").description
                == "invalid phone number \"06 AB\": unexpected character \"A\"; use digits, a leading + and the separators space . - / ( )"
        )
        let all: [PhoneNumberError] = [
            .invalidNationalNumber(input: "061234567", digits: 9), .misplacedPlus(input: "1+2"),
            .invalidCountryCode(input: "+06"), .tooShort(input: "+123", digits: 3),
            .tooLong(input: "+1234567890123456", digits: 16), .invalidFrenchNumber(input: "+331"),
        ]
        for error in all {
            #expect(error.description.hasPrefix("invalid phone number \""))
        }
        #expect(PhoneNumberError.invalidNationalNumber(input: "061234567", digits: 9).description.contains("9 digits"))
        #expect(PhoneNumberError.empty.description.contains("+33612345678"))
    }

    @Test func parseListSplitsAndRemovesDuplicates() throws {
        let numbers = try PhoneNumber.parseList("06 12 34 56 78, +33612345678; +49 30 123456,, ;0033 6 12 34 56 78 ;01 23 45 67 89")
        #expect(numbers.map(\.e164) == ["+33612345678", "+4930123456", "+33123456789"])
        #expect(try PhoneNumber.parseList("") == [])
        #expect(try PhoneNumber.parseList(" , ; ") == [])
    }

    @Test func parseListReportsTheBadItem() {
        #expect(throws: PhoneNumberError.invalidCharacter(input: "abc", character: "a")) {
            try PhoneNumber.parseList("0612345678, abc")
        }
    }

    @Test func hashableAndMsisdn() throws {
        let a = try PhoneNumber(parsing: "06 12 34 56 78")
        let b = try PhoneNumber(parsing: "+33612345678")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a.msisdn == "33612345678")
    }

    @Test func codableAsString() throws {
        let number = try PhoneNumber(parsing: "06 12 34 56 78")
        let data = try JSONEncoder().encode([number])
        #expect(String(decoding: data, as: UTF8.self) == "[\"+33612345678\"]")
        let decoded = try JSONDecoder().decode([PhoneNumber].self, from: Data("[\"06.12.34.56.78\"]".utf8))
        #expect(decoded == [number])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([PhoneNumber].self, from: Data("[\"hello\"]".utf8))
        }
    }
}
