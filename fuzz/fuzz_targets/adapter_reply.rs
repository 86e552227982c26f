#![no_main]
//! The adapter client's reply handling (src/adapter/client.rs): a real
//! `AdapterClient` over a loopback connection whose other end answers with
//! the fuzz bytes, through `hello`, then calls until the stream breaks; and
//! `Reply::from_response` / `describe` on the bytes decoded directly.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use interspec::adapter::client::{AdapterClient, ClientConfig, Reply};
use interspec::adapter::link::Link;
use interspec::adapter::proto::{request::Op, Ping, Response};
use libfuzzer_sys::fuzz_target;
use prost::Message;

/// The fake target: for each connection, writes the bytes it was handed,
/// stops writing, and drains whatever the client sends until it hangs up.
struct Server {
    addr: String,
    inputs: SyncSender<Vec<u8>>,
    done: Mutex<Receiver<()>>,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        // The fake target's writes may meet a closed socket: an error, not
        // a signal that ends the fuzzer.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("local addr").to_string();
        let (inputs, wanted) = sync_channel::<Vec<u8>>(1);
        let (finished, done) = sync_channel::<()>(1);
        thread::spawn(move || {
            for bytes in wanted {
                if let Ok((mut stream, _)) = listener.accept() {
                    let _ = stream.write_all(&bytes);
                    let _ = stream.shutdown(Shutdown::Write);
                    let mut sink = [0u8; 4096];
                    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                }
                let _ = finished.send(());
            }
        });
        Server {
            addr,
            inputs,
            done: Mutex::new(done),
        }
    })
}

fn config() -> ClientConfig {
    ClientConfig {
        max_frame: 1 << 16,
        call_timeout: Duration::from_secs(2),
        record: true,
        plaintext_excerpt: 4,
    }
}

fuzz_target!(|data: &[u8]| {
    // Direct: what callers do with a decoded response.
    if let Ok(response) = Response::decode(data) {
        if let Ok(reply) = Reply::from_response(response) {
            let _ = reply.describe();
        }
    }

    // Through the client, as a target's answers arrive.
    // Connected (queued by the kernel) before the server is handed the
    // input, so a failed connect cannot leave it waiting in accept.
    let server = server();
    let link = Link::connect(&server.addr, Duration::from_secs(2)).expect("loopback connect");
    server.inputs.send(data.to_vec()).expect("server alive");
    let mut client = AdapterClient::new(link, config());
    if client.hello().is_ok() {
        for _ in 0..64 {
            let op = Op::Ping(Ping {
                payload: b"ping".to_vec(),
            });
            match client.call(op) {
                Ok(reply) => {
                    let _ = reply.describe();
                }
                Err(_) => break,
            }
        }
    }
    let _ = client.transcript().lines();
    drop(client);
    let _ = server.done.lock().expect("lock").recv();
});
