//! Compiles `proto/*.proto` with protox, a pure-Rust protobuf compiler, so a
//! build never needs a system `protoc`; and lists `vectors/` for the copy
//! built into the binary (`interspec vectors verify` without `--dir`).

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_vectors()?;
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
    // The same descriptors, for the evidence decoder (src/adapter/decode.rs):
    // message and field names of recorded frames.
    {
        use protox::prost::Message;
        let out = PathBuf::from(std::env::var("OUT_DIR")?).join("adapter_descriptors.bin");
        std::fs::write(out, descriptors.encode_to_vec())?;
    }
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
        .boxed(".interspec.adapter.v1.Response.reply.media_encrypt")
        .boxed(".interspec.adapter.v1.Response.reply.media_upload")
        .extern_path(
            ".interspec.stanza.v1",
            "crate::peer::stanza::payload::proto",
        )
        .compile_fds(descriptors)?;
    Ok(())
}

/// Writes `$OUT_DIR/embedded_vectors.rs`: every file under `vectors/`, by
/// its path relative to that folder, as `include_bytes!`.
fn embed_vectors() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=vectors");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors");
    let mut files = Vec::new();
    collect_files(&root, &mut files)?;
    files.sort();
    let mut out = String::from("pub const FILES: &[(&str, &[u8])] = &[\n");
    for file in &files {
        let relative = file
            .strip_prefix(&root)?
            .to_str()
            .ok_or("a vector path that is not UTF-8")?
            .replace('\\', "/");
        out.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            file.to_str().ok_or("a vector path that is not UTF-8")?
        ));
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR")?).join("embedded_vectors.rs");
    std::fs::write(target, out)?;
    Ok(())
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}
