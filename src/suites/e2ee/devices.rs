//! Devices on the target talking to each other, interspec holding every
//! bundle and ciphertext in between: the device-to-device world, for any
//! wire format (nothing here parses a ciphertext, key or bundle).

use rand::RngCore;

use super::harness::{
    create_device_opaque, encrypt, expect_decrypts, fresh_address, get_bundle_proto,
    process_bundle_proto, Step, Wire,
};
use crate::peer::signal::Address;
use crate::scenario::ScenarioCtx;

/// A message in flight between two target devices, with its plaintext.
pub struct Sent {
    pub wire: Wire,
    pub plaintext: Vec<u8>,
    pub what: String,
}

/// An address no device of `taken` has.
pub fn new_address(ctx: &mut ScenarioCtx, taken: &[&Address]) -> Address {
    loop {
        let addr = fresh_address(ctx);
        if !taken.contains(&&addr) {
            return addr;
        }
    }
}

/// Two devices on the target, `a` holding a session with `b` from `b`'s
/// bundle with a one-time prekey (nothing sent yet).
pub struct Pair {
    pub a: Address,
    pub b: Address,
    /// The identity keys the target answered at creation, as opaque bytes.
    pub a_identity: Vec<u8>,
    pub b_identity: Vec<u8>,
}

impl Pair {
    pub fn new(ctx: &mut ScenarioCtx) -> Step<Pair> {
        let pair = Pair::unconnected(ctx)?;
        let bundle = get_bundle_proto(ctx, &pair.b, true)?;
        process_bundle_proto(ctx, &pair.a, &pair.b, bundle)?;
        Ok(pair)
    }

    /// Two devices with no session yet.
    pub fn unconnected(ctx: &mut ScenarioCtx) -> Step<Pair> {
        let a = new_address(ctx, &[]);
        let b = new_address(ctx, &[&a]);
        let a_identity = create_device_opaque(ctx, &a, 4)?;
        let b_identity = create_device_opaque(ctx, &b, 4)?;
        Ok(Pair {
            a,
            b,
            a_identity,
            b_identity,
        })
    }

    /// An address neither device of the pair has.
    pub fn fresh_address(&self, ctx: &mut ScenarioCtx) -> Address {
        new_address(ctx, &[&self.a, &self.b])
    }

    /// The other device of the pair.
    pub fn other(&self, device: &Address) -> &Address {
        if device == &self.a {
            &self.b
        } else {
            &self.a
        }
    }

    /// `from` encrypts a fresh random 24-byte plaintext for the other device.
    pub fn send(&self, ctx: &mut ScenarioCtx, from: &Address, what: &str) -> Step<Sent> {
        let mut plaintext = vec![0u8; 24];
        ctx.rng.fill_bytes(&mut plaintext);
        self.send_bytes(ctx, from, plaintext, what)
    }

    /// `from` encrypts `plaintext` for the other device.
    pub fn send_bytes(
        &self,
        ctx: &mut ScenarioCtx,
        from: &Address,
        plaintext: Vec<u8>,
        what: &str,
    ) -> Step<Sent> {
        let wire = encrypt(ctx, from, self.other(from), &plaintext)?;
        Ok(Sent {
            wire,
            plaintext,
            what: what.to_string(),
        })
    }

    /// The addressee reads `sent`, which must decrypt to its plaintext.
    pub fn deliver(&self, ctx: &mut ScenarioCtx, to: &Address, sent: &Sent) -> Step<()> {
        expect_decrypts(
            ctx,
            to,
            self.other(to),
            &sent.wire,
            &sent.plaintext,
            &sent.what,
        )
    }

    /// One message from `from`, read by the other device.
    pub fn exchange(&self, ctx: &mut ScenarioCtx, from: &Address, what: &str) -> Step<Sent> {
        let sent = self.send(ctx, from, what)?;
        self.deliver(ctx, self.other(from), &sent)?;
        Ok(sent)
    }

    /// A round trip each way, `first` speaking first: the session works.
    pub fn still_talking(&self, ctx: &mut ScenarioCtx, first: &Address, when: &str) -> Step<()> {
        self.exchange(ctx, first, &format!("a message {when}"))?;
        self.exchange(ctx, self.other(first), &format!("the reply {when}"))?;
        Ok(())
    }
}
