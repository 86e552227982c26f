//! Compiles `proto/*.proto` with protox, a pure-Rust protobuf compiler, so a
//! build never needs a system `protoc`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = PathBuf::from("proto");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&proto_dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "proto"))
        .collect();
    files.sort();
    println!("cargo:rerun-if-changed=proto");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let descriptors = protox::compile(&files, [&proto_dir])?;
    // The stanza payload package (embedded by adapter messages) is included
    // at this Rust path, so it is generated on its own and named as extern
    // everywhere else.
    const STANZA_PAYLOAD: &str = "stanza_payload.proto";
    let mut payload_only = descriptors.clone();
    payload_only.file.retain(|f| f.name() == STANZA_PAYLOAD);
    prost_build::Config::new().compile_fds(payload_only)?;
    prost_build::Config::new()
        // Keeps `Response.reply` small: these results hold whole trees.
        .boxed(".interspec.adapter.v1.Response.reply.stanza_parse")
        .boxed(".interspec.adapter.v1.Response.reply.stanza_payload_decode")
        .extern_path(
            ".interspec.stanza.v1",
            "crate::peer::stanza::payload::proto",
        )
        .compile_fds(descriptors)?;
    Ok(())
}
