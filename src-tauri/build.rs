fn main() {
    // generate_context! embeds ui/dist at compile time, but a proc macro cannot tell cargo
    // which files it read: without this, a rebuilt UI would not reach a rebuilt app.
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
