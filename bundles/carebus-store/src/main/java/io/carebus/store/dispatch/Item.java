package io.carebus.store.dispatch;

import io.carebus.api.store.InboundMessage;

/**
 * A stored message queued for processing.
 *
 * @param id      the stored message's id
 * @param group   what the message belongs to, known at intake (DICOM: its study), or null; kept even when the backlog
 *                drops the rest, so a handler's counts per group stay right
 * @param message the message as stored, when intake handed it over (saves reading it back), else null
 * @param parsed  the protocol's parse of it, when intake already made one, else null
 * @param <T>     the protocol's parsed form
 */
public record Item<T>(long id, String group, InboundMessage message, T parsed) {

    public static <T> Item<T> of(long id) {
        return new Item<>(id, null, null, null);
    }

    public static <T> Item<T> of(long id, String group) {
        return new Item<>(id, group, null, null);
    }

    /** Only what identifies it: the message is read back from the store when its turn comes. */
    Item<T> light() {
        return message == null && parsed == null ? this : new Item<>(id, group, null, null);
    }

    Item<T> with(InboundMessage stored) {
        return new Item<>(id, group, stored, parsed);
    }
}
