package io.carebus.hl7.internal.fhir;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;

/**
 * MDM TXA + OBX to DocumentReference (IG "TXA[DocumentReference]"): TXA-12 (unique document number) is the master
 * identifier, TXA-2 the type, TXA-17 the document status, TXA-19 the availability; the OBX text lines (TX, FT, ST) are
 * one text/plain attachment, ED values (PDF...) attachments of their own. A notification without content (T01, T03)
 * keeps the file name as the attachment's title.
 */
final class DocumentMapping {

    private DocumentMapping() {
    }

    /** The document and the text lines its OBX segments add (see {@link #finish}). */
    static final class Draft {
        final DocumentReference document;
        final List<String> lines = new ArrayList<>();

        Draft(DocumentReference document) {
            this.document = document;
        }
    }

    static Draft fromTxa(V2Segment txa, String trigger, MappingContext ctx) {
        DocumentReference doc = new DocumentReference();
        Identifier unique = V2Types.ei(txa, 12, ctx.facility, "FILL");
        if (unique != null) {
            unique.setType(null);
            doc.setMasterIdentifier(unique.copy());
            doc.addIdentifier(unique);
        } else {
            Identifier derived = ctx.derivedForPatient("doc", txa.get(16).isEmpty() ? txa.get(2) + "-" + txa.get(4) : txa.get(16));
            if (derived != null) {
                doc.addIdentifier(derived);
            }
        }
        boolean cancelled = "T11".equals(trigger) || "CA".equalsIgnoreCase(txa.get(19));
        doc.setStatus(cancelled ? Enumerations.DocumentReferenceStatus.ENTEREDINERROR
                : "OB".equalsIgnoreCase(txa.get(19)) ? Enumerations.DocumentReferenceStatus.SUPERSEDED
                : Enumerations.DocumentReferenceStatus.CURRENT);
        String completion = txa.get(17).toUpperCase(Locale.ROOT);
        switch (completion) {
            case "AU", "LA" -> doc.setDocStatus(DocumentReference.ReferredDocumentStatus.FINAL);
            case "DI", "DO", "IP", "IN", "PA" -> doc.setDocStatus(DocumentReference.ReferredDocumentStatus.PRELIMINARY);
            default -> { }
        }
        if (!txa.get(2).isEmpty() || !txa.get(2, 2).isEmpty()) {
            doc.setType(V2Types.concept(txa, 2, 0, "HL70270", null));
        }
        if (ctx.subject != null) {
            doc.setSubject(ctx.subject);
        }
        var when = ctx.instant(txa, 6);
        if (when.isEmpty()) {
            when = ctx.instant(txa, 4);
        }
        when.ifPresent(doc::setDateElement);
        ctx.dateTime(txa, 4).ifPresent(t -> doc.getContext().getPeriod().setStartElement(t));
        if (ctx.encounter != null) {
            doc.getContext().addEncounter(ctx.encounter);
        }
        for (int field : new int[] {9, 5}) {
            for (Reference author : ctx.people.practitioners(txa, field)) {
                if (doc.getAuthor().stream().noneMatch(a -> a.getReference().equals(author.getReference()))) {
                    doc.addAuthor(author);
                }
            }
        }
        Reference authenticator = ctx.people.practitioner(txa, 10, 0);
        if (authenticator == null) {
            authenticator = ctx.people.practitioner(txa, 22, 0);
        }
        if (authenticator != null) {
            doc.setAuthenticator(authenticator);
        }
        Identifier parent = V2Types.ei(txa, 13, ctx.facility, "FILL");
        if (parent != null) {
            parent.setType(null);
            DocumentReference.DocumentRelationshipType relation = switch (trigger) {
                case "T05", "T06" -> DocumentReference.DocumentRelationshipType.APPENDS;
                default -> DocumentReference.DocumentRelationshipType.REPLACES;
            };
            doc.addRelatesTo().setCode(relation).setTarget(new Reference().setType("DocumentReference").setIdentifier(parent));
        }
        return new Draft(doc);
    }

    /** One OBX of the document: text lines gather, ED values become attachments. */
    static void addObx(V2Segment obx, Draft draft) {
        String type = obx.get(2).toUpperCase(Locale.ROOT);
        if ("ED".equals(type) || "RP".equals(type)) {
            for (Attachment a : ResultMapping.attachments(obx)) {
                draft.document.addContent().setAttachment(a);
            }
            return;
        }
        for (int rep = 0; rep < obx.repetitions(5); rep++) {
            String line = "FT".equals(type) || "TX".equals(type) || "ST".equals(type)
                    ? obx.get(5, rep, 1, 1).replace("\\.br\\", "\n") : obx.encoded(5, rep);
            draft.lines.add(line);
        }
    }

    /** Puts the gathered text in as an attachment; a document with no content keeps the file name (FHIR wants one). */
    static void finish(Draft draft, V2Segment txa) {
        if (!draft.lines.isEmpty()) {
            draft.document.getContent().add(0, new DocumentReference.DocumentReferenceContentComponent().setAttachment(
                    new Attachment().setContentType("text/plain; charset=utf-8")
                            .setData(String.join("\n", draft.lines).getBytes(StandardCharsets.UTF_8))));
        }
        if (draft.document.getContent().isEmpty()) {
            String name = txa.get(16);
            draft.document.addContent().setAttachment(new Attachment()
                    .setTitle(name.isEmpty() ? "document content not included in the message" : name));
        }
    }
}
