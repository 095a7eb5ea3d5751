//! The Tauri shell. Thin on purpose: commands validate and call `vireo_app::Vireo`,
//! errors become `ErrorPayload` for the UI, and host events are re-emitted as Tauri
//! events. All app logic lives in the core crates.

mod commands;
mod compositing;
mod events;
mod mark;
mod reveal;
mod snapshot_commands;
mod ip_pool_commands;
mod network_commands;
mod storage_commands;
mod task_commands;
mod vm_commands;
mod vm_edit_commands;

use tauri::Manager;
use vireo_app::Vireo;

/// Builds and runs the app; returns the process exit code.
pub fn run() -> i32 {
    // First, so `ui_mark` times the UI's milestones from as near process start as we get.
    mark::record_launch();
    // Before Tauri starts any thread or webview (it writes the environment).
    compositing::prefer_software_compositing();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("VIREO_LOG").unwrap_or_else(|_| "info".into()))
        .init();
    if cfg!(target_os = "linux") && std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("vireo: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run it in a desktop session or under Xvfb");
        return 1;
    }
    let app = tauri::Builder::default()
        .setup(|app| {
            // The CLI's directory too, so both keep one history (not Tauri's app_data_dir).
            let data_dir = vireo_app::default_data_dir();
            let vireo = tauri::async_runtime::block_on(Vireo::start(&data_dir, "app"))?;
            events::forward(app.handle().clone(), vireo.subscribe());
            app.manage(vireo);
            reveal::fallback(app.handle().clone());
            Ok(())
        })
        .on_page_load(reveal::on_page_load)
        .invoke_handler(tauri::generate_handler![commands::list_hosts, commands::list_vms, commands::vm_action,
            commands::set_host_accel,
            commands::add_host,
            commands::edit_host,
            commands::remove_host,
            commands::connect_host,
            commands::disconnect_host,
            commands::answer_prompt,
            commands::list_history,
            commands::open_console,
            commands::console_input,
            commands::console_screenshot,
            commands::close_console,
            task_commands::list_tasks,
            task_commands::cancel_task,
            storage_commands::list_pools,
            storage_commands::create_pool,
            storage_commands::pool_action,
            storage_commands::delete_pool,
            storage_commands::list_volumes,
            storage_commands::create_volume,
            storage_commands::resize_volume,
            storage_commands::delete_volume,
            storage_commands::list_isos,
            storage_commands::upload_iso,
            storage_commands::delete_iso,
            storage_commands::iso_dir,
            storage_commands::set_iso_dir,
            network_commands::list_networks,
            network_commands::create_network,
            network_commands::network_action,
            network_commands::delete_network,
            network_commands::set_network_ip,
            network_commands::add_dhcp_host,
            network_commands::remove_dhcp_host,
            network_commands::network_leases,
            network_commands::create_bridge,
            network_commands::delete_bridge,
            ip_pool_commands::list_ip_pools,
            ip_pool_commands::ip_pool,
            ip_pool_commands::create_ip_pool,
            ip_pool_commands::delete_ip_pool,
            ip_pool_commands::allocate_ip,
            ip_pool_commands::assign_ip,
            ip_pool_commands::release_ip,
            vm_commands::host_limits,
            vm_commands::list_network_names,
            vm_commands::create_vm,
            vm_commands::delete_vm,
            vm_edit_commands::vm_detail,
            vm_edit_commands::change_vm,
            vm_edit_commands::vm_addresses,
            vm_edit_commands::vm_tags,
            vm_edit_commands::set_guest_password,
            vm_edit_commands::batch_vms,
            snapshot_commands::cdrom_drives,
            snapshot_commands::change_media,
            snapshot_commands::list_snapshots,
            snapshot_commands::create_snapshot,
            snapshot_commands::revert_snapshot,
            snapshot_commands::delete_snapshot,
            snapshot_commands::clone_vm,
            mark::ui_mark
        ])
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, event| {
                if let tauri::RunEvent::Exit = event {
                    // Before the exit handlers: no SSH session thread may still be sending.
                    vireo_app::shutdown();
                }
            });
            0
        }
        Err(e) => {
            eprintln!("vireo: {e}");
            1
        }
    }
}
