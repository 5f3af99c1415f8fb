{ pkgs ? import <nixpkgs> { } }:

pkgs.mkShell {
  name = "webapp-dev";
  buildInputs = with pkgs; [
    nodejs_20
    pnpm
    postgresql_16
    redis
  ];

  PGDATA = toString ./.pg;

  shellHook = ''
    if [ ! -d "$PGDATA" ]; then
      initdb --auth=trust --no-locale --encoding=UTF8 >/dev/null
    fi
    export DATABASE_URL="postgresql:///webapp?host=$PGDATA"
    echo "Run 'pg_ctl -l $PGDATA/log start' to start postgres 🐘"
  '';
}
