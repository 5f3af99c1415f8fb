self: super: { htop = super.htop.override { sensorsSupport = false; }; }
