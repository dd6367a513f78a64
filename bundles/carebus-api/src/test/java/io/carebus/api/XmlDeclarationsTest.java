package io.carebus.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XmlDeclarationsTest {

    @Test
    void aDoctypeOrEntityDeclarationAnywhereIsFoundWhateverItsCase() {
        assertThat(XmlDeclarations.declaresDtd("<?xml version=\"1.0\"?>\n<!DOCTYPE Patient [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"/>")).isTrue();
        assertThat(XmlDeclarations.declaresDtd("<Patient xmlns=\"http://hl7.org/fhir\"><!entity x \"y\"></Patient>")).isTrue();
        assertThat(XmlDeclarations.declaresDtd("<!  doctype x>")).isTrue();
        assertThat(XmlDeclarations.declaresDtd("<!\n\tDocType x>")).isTrue();
    }

    @Test
    void ordinaryFhirXmlWithCommentsAndCdataPasses() {
        assertThat(XmlDeclarations.declaresDtd("<?xml version=\"1.0\" encoding=\"UTF-8\"?><!-- DOCTYPE in a comment is text -->"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><text><div xmlns=\"http://www.w3.org/1999/xhtml\">&lt;!DOCTYPE&gt;</div></text>"
                + "</Patient>")).isFalse();
        assertThat(XmlDeclarations.declaresDtd("")).isFalse();
        assertThat(XmlDeclarations.declaresDtd(null)).isFalse();
    }

    @Test
    void aLongRunOfAlmostDeclarationsIsScannedInOnePass() {
        String text = "<!".repeat(1_000_000) + " ".repeat(1_000_000) + "<! ENTIT";
        assertThat(XmlDeclarations.declaresDtd(text)).isFalse();
        assertThat(XmlDeclarations.declaresDtd(text + "Y")).isTrue();
    }
}
