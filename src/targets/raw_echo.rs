//! The physical baseline for `interspec bench`: echoes fixed-size chunks on
//! stdin/stdout with no framing or protobuf, over the same kind of stdio the
//! adapter protocol uses.

use std::io::{self, Read, Write};

pub fn serve_stdio(size: usize) -> io::Result<()> {
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut buffer = vec![0u8; size.max(1)];
    loop {
        match input.read_exact(&mut buffer) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(err) => return Err(err),
        }
        output.write_all(&buffer)?;
        output.flush()?;
    }
}
