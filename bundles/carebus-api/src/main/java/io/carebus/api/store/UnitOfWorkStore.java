package io.carebus.api.store;

import java.util.List;

/**
 * A message store whose writer takes other bundles' rows into a message's transaction ({@link UnitParticipant}). It
 * returns, as {@link MessageStore#store} does, only once the message and the participant's rows are durable.
 */
public interface UnitOfWorkStore {

    MessageStore.StoreResult store(InboundMessage message, List<MessageWarning> warnings, UnitParticipant participant);
}
