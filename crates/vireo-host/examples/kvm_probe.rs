//! Prints what the KVM probe decides on this machine and how long it took.
fn main() {
    let t = std::time::Instant::now();
    let works = vireo_host::kvm_guests_work();
    println!("kvm usable: {works} ({:.2} s)", t.elapsed().as_secs_f64());
}
