//! The property scenarios' model of one party's ratchet position: the
//! chain its next message goes on, and which messages sent to it it must
//! decrypt and which it may refuse.
//!
//! Must decrypt: a message on a chain new to it (a party only starts a new
//! chain after hearing the other's newest one, so a new chain is always the
//! next one) or on one of the last [`KEPT_CHAINS`] receiving chains, unless
//! the skipped-key bound (E2-027) lets it go. The bound is met in any of
//! the ways E2-027 allows, so the model never assumes one: once more keys
//! were skipped on this side than the bound, any message whose key was
//! skipped may be gone (evicted in any order, or never stored), and a
//! message whose skipped keys would overflow a full store may be refused.
//! Counting errs on the side of the target: a message counts as skipped
//! as soon as a later one on its chain or a newer chain was decrypted (the
//! Double Ratchet rev 1 §3.5 pseudocode skips the previous chain at each
//! ratchet step; libsignal and vodozemac skip only when a later message of
//! the same chain arrives).
//!
//! May decrypt anyway: a message outside the window, decrypted once to its
//! own plaintext. Keeping older chains or keys longer is no break of the
//! specification (§6.4 leaves the deletion policy open).

use std::collections::{HashMap, VecDeque};

/// Receiving chains a party keeps (libsignal-protocol-java SessionState
/// addReceiverChain: more than 5 drops the oldest; vodozemac
/// `MAX_RECEIVING_CHAINS` = 5).
pub const KEPT_CHAINS: usize = 5;

/// The receiver's bounds (docs/e2ee.md §Limits).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Skipped message keys the receiver keeps.
    pub skipped_keys: u32,
    /// Largest counter jump it accepts on one chain.
    pub forward_jump: u32,
}

/// One message sent to a party: which of its messages, on which of the
/// sender's chains, at which index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    id: usize,
    pub epoch: u32,
    pub index: u32,
}

#[derive(Debug, Clone, Copy)]
struct Sent {
    epoch: u32,
    index: u32,
    decrypted: bool,
    skipped: bool,
}

/// What the receiver must do with a message offered to it.
#[derive(Debug, PartialEq, Eq)]
pub enum Duty {
    Decrypt,
    /// It may refuse it, for the reason given.
    MayRefuse(String),
}

#[derive(Debug)]
pub struct Ratchet {
    limits: Limits,
    /// Whether it has a session yet (the responder has none before its
    /// first message).
    pub has_session: bool,
    /// The chain its next message goes on, and that message's index.
    send_epoch: u32,
    send_index: u32,
    /// The newest chain of the other side it has heard.
    newest_heard: Option<u32>,
    /// The other side's chains it can still receive on (oldest first).
    chains: VecDeque<u32>,
    /// Every message sent to it, by [`Tag::id`].
    sent: Vec<Sent>,
    /// Next index expected per chain of the other side.
    next_index: HashMap<u32, u32>,
    /// Keys skipped so far (a message counts once, when first skipped).
    skipped_total: u32,
}

impl Ratchet {
    pub fn new(initiator: bool, limits: Limits) -> Ratchet {
        Ratchet {
            limits,
            has_session: initiator,
            // The initiator's first chain is 1; it already holds the
            // responder's chain 0 (the signed prekey), libsignal's initial
            // receiving chain.
            send_epoch: u32::from(initiator),
            send_index: 0,
            newest_heard: initiator.then_some(0),
            chains: if initiator {
                VecDeque::from([0])
            } else {
                VecDeque::new()
            },
            sent: Vec::new(),
            next_index: HashMap::new(),
            skipped_total: 0,
        }
    }

    /// The chain and index of the next message it sends (`None`: it has no
    /// session to send with).
    pub fn next_send(&mut self) -> Option<(u32, u32)> {
        if !self.has_session {
            return None;
        }
        let at = (self.send_epoch, self.send_index);
        self.send_index += 1;
        Some(at)
    }

    /// Notes a message the other side sent to it.
    pub fn incoming(&mut self, (epoch, index): (u32, u32)) -> Tag {
        self.sent.push(Sent {
            epoch,
            index,
            decrypted: false,
            skipped: false,
        });
        Tag {
            id: self.sent.len() - 1,
            epoch,
            index,
        }
    }

    /// Whether it still holds the chain `epoch` (a replay on it gets the
    /// documented DUPLICATE_MESSAGE).
    pub fn holds_chain(&self, epoch: u32) -> bool {
        self.chains.contains(&epoch)
    }

    fn in_window(&self, epoch: u32) -> bool {
        match self.newest_heard {
            None => true,
            Some(newest) => epoch > newest || self.chains.contains(&epoch),
        }
    }

    /// The messages still undecrypted that decrypting `tag` would skip for
    /// the first time.
    fn newly_skipped(&self, tag: Tag) -> impl Iterator<Item = usize> + '_ {
        self.sent.iter().enumerate().filter_map(move |(id, s)| {
            let before = (s.epoch == tag.epoch && s.index < tag.index) || s.epoch < tag.epoch;
            (before && !s.decrypted && !s.skipped).then_some(id)
        })
    }

    /// What it must do with the message `tag` (never a replay: the caller
    /// judges those).
    pub fn duty(&self, tag: Tag) -> Duty {
        let bound = self.limits.skipped_keys;
        if !self.in_window(tag.epoch) {
            return Duty::MayRefuse(format!(
                "its chain is older than the last {KEPT_CHAINS} it received on"
            ));
        }
        let skipped = self.sent.get(tag.id).is_some_and(|s| s.skipped);
        if skipped && self.skipped_total > bound {
            return Duty::MayRefuse(format!(
                "{} keys were skipped, more than the bound of {bound}",
                self.skipped_total
            ));
        }
        let next = self.next_index.get(&tag.epoch).copied().unwrap_or(0);
        let jump = tag.index.saturating_sub(next);
        // At the limit too: the bounds scenarios judge the exact edge.
        if jump >= self.limits.forward_jump {
            return Duty::MayRefuse(format!("a jump of {jump}"));
        }
        let new = self.newly_skipped(tag).count();
        let stored = self
            .sent
            .iter()
            .filter(|s| s.skipped && !s.decrypted)
            .count();
        if new > 0 && stored + new > bound as usize {
            return Duty::MayRefuse(format!(
                "skipping {new} more keys beside {stored} stored would pass the bound of {bound}"
            ));
        }
        Duty::Decrypt
    }

    /// It decrypted `tag`: the messages before it are skipped, and a new
    /// chain of the other side starts a new sending chain of its own.
    pub fn decrypted(&mut self, tag: Tag) {
        let newly: Vec<usize> = self.newly_skipped(tag).collect();
        for id in newly {
            if let Some(s) = self.sent.get_mut(id) {
                s.skipped = true;
                self.skipped_total += 1;
            }
        }
        if let Some(s) = self.sent.get_mut(tag.id) {
            s.decrypted = true;
        }
        let next = self.next_index.entry(tag.epoch).or_insert(0);
        *next = (*next).max(tag.index + 1);
        if self.newest_heard.is_none_or(|n| tag.epoch > n) {
            self.newest_heard = Some(tag.epoch);
            self.chains.push_back(tag.epoch);
            while self.chains.len() > KEPT_CHAINS {
                self.chains.pop_front();
            }
            // A new remote chain means a DH ratchet step: a new sending chain.
            self.send_epoch += 1;
            self.send_index = 0;
        }
        self.has_session = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Limits = Limits {
        skipped_keys: 4,
        forward_jump: 2000,
    };

    /// The responder, with `n` messages of the initiator's first chain sent.
    fn responder_with(n: u32) -> (Ratchet, Vec<Tag>) {
        let mut r = Ratchet::new(false, SMALL);
        let tags = (0..n).map(|i| r.incoming((1, i))).collect();
        (r, tags)
    }

    #[test]
    fn in_order_messages_must_decrypt() {
        let (mut r, tags) = responder_with(3);
        for t in tags {
            assert_eq!(r.duty(t), Duty::Decrypt);
            r.decrypted(t);
        }
    }

    #[test]
    fn skipped_messages_within_the_bound_must_decrypt() {
        let (mut r, tags) = responder_with(5);
        r.decrypted(tags[4]);
        for t in &tags[..4] {
            assert_eq!(r.duty(*t), Duty::Decrypt, "4 skipped, bound 4");
        }
    }

    #[test]
    fn past_the_bound_skipped_messages_may_be_refused() {
        let (mut r, tags) = responder_with(6);
        // Skipping 5 may overflow a store of 4 kept by refusal.
        assert!(matches!(r.duty(tags[5]), Duty::MayRefuse(_)));
        r.decrypted(tags[5]);
        for t in &tags[..5] {
            assert!(matches!(r.duty(*t), Duty::MayRefuse(_)));
        }
    }

    #[test]
    fn a_message_that_skips_nothing_must_decrypt_even_past_the_bound() {
        let (mut r, tags) = responder_with(6);
        r.decrypted(tags[5]);
        let next = r.incoming((1, 6));
        assert_eq!(r.duty(next), Duty::Decrypt);
    }

    #[test]
    fn a_new_chain_skips_what_is_left_of_the_older_ones() {
        let mut a = Ratchet::new(true, SMALL);
        let (mut b, tags) = responder_with(2);
        b.decrypted(tags[1]);
        let reply = b.next_send().expect("b has a session");
        assert_eq!(reply, (1, 0), "b's first chain");
        let to_a = a.incoming(reply);
        a.decrypted(to_a);
        assert_eq!(a.next_send(), Some((2, 0)), "a ratchets to chain 2");
        let later = b.incoming((2, 0));
        b.decrypted(later);
        assert_eq!(b.skipped_total, 1, "tags[0] counted once");
    }

    #[test]
    fn chains_older_than_the_window_may_be_refused() {
        let mut r = Ratchet::new(false, SMALL);
        let old = r.incoming((1, 0));
        for epoch in 1..=KEPT_CHAINS as u32 + 1 {
            let t = r.incoming((epoch + 1, 0));
            r.decrypted(t);
        }
        assert!(matches!(r.duty(old), Duty::MayRefuse(_)));
    }

    #[test]
    fn a_jump_at_the_forward_limit_may_be_refused() {
        let mut r = Ratchet::new(
            false,
            Limits {
                skipped_keys: 5000,
                forward_jump: 3,
            },
        );
        let near = r.incoming((1, 2));
        assert_eq!(r.duty(near), Duty::Decrypt);
        let far = r.incoming((1, 3));
        assert!(matches!(r.duty(far), Duty::MayRefuse(_)));
    }
}
