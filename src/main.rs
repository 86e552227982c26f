fn main() -> std::process::ExitCode {
    interspec::cli::main()
}
