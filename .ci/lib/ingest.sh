# Sourced by the end-to-end tests of the ingestion (crash-test, cluster-test): test pictures, their upload into the
# inbox as an admin, and what the plugin reports back. Each test defines fail() before using these.
INBOX=/content/dam/inpaint-inbox
AUTH=(-s -u admin:admin)
# job states that mean the ingestion of a pair went wrong
ERROR_STATES='"state":"(ERROR|GIVEN_UP|STOPPED|DROPPED)"'

# make_pairs DIR PREFIX N SIZE: <PREFIX><i>.jpg, SIZE x SIZE pictures of coloured ellipses, and <PREFIX><i>.mask.png,
# a square hole in the middle
make_pairs() {
  /usr/bin/python3 - "$@" <<'PY'
import sys, random
from PIL import Image, ImageDraw
out, prefix, n, s = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    rnd = random.Random(i)
    img = Image.new('RGB', (s, s))
    d = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rnd.randrange(s), rnd.randrange(s)
        d.ellipse((x, y, x + rnd.randrange(s // 25, s // 4), y + rnd.randrange(s // 25, s // 4)),
                  fill=(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    img.save(f'{out}/{prefix}{i}.jpg', quality=90)
    mask = Image.new('L', (s, s))
    ImageDraw.Draw(mask).rectangle((3 * s // 8, 3 * s // 8, 5 * s // 8 - 1, 5 * s // 8 - 1), fill=255)
    mask.save(f'{out}/{prefix}{i}.mask.png')
PY
}

# upload_pairs URL DIR PREFIX N: each pair in one POST to the inbox (Sling's POST servlet)
upload_pairs() {
  local i
  for i in $(seq 0 $(($4 - 1))); do
    curl "${AUTH[@]}" -o /dev/null -F "$3$i.jpg=@$2/$3$i.jpg" -F "$3$i.mask.png=@$2/$3$i.mask.png" "$1$INBOX"
  done
}

# jobs_of URL NAME: the report of the ingestion jobs of $INBOX/NAME
jobs_of() { curl "${AUTH[@]}" "$1/bin/inpaint.jobs.json?path=$INBOX/$2"; }

# await_success URL NAME DEADLINE: waits until a job of $INBOX/NAME succeeded, failing after DEADLINE (epoch s)
await_success() {
  until jobs_of "$1" "$2" | grep -q '"state":"SUCCEEDED"'; do
    [ "$(date +%s)" -lt "$3" ] || fail "$2: no job succeeded: $(jobs_of "$1" "$2")"
    sleep 1
  done
}

# check_pair URL PREFIX I SIZE DIR: no job of <PREFIX><I>.jpg in error, exactly one rendition, and that one a whole
# SIZE x SIZE picture as URL serves it (saved in DIR); prints the rendition's name
check_pair() {
  local states renditions
  states=$(jobs_of "$1" "$2$3.jpg")
  ! grep -qE "$ERROR_STATES" <<< "$states" || fail "$2$3.jpg: a job ended in error: $states"
  renditions=$(curl "${AUTH[@]}" "$1$INBOX.1.json" | grep -o "\"$2$3\.inpainted-[0-9]*\.jpeg\"" | tr -d '"' || true)
  [ "$(wc -w <<< "$renditions")" = 1 ] || fail "$2$3.jpg has $(wc -w <<< "$renditions") renditions on $1: $renditions"
  curl "${AUTH[@]}" -o "$5/$renditions" "$1$INBOX/$renditions"
  /usr/bin/python3 -c "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); assert im.size == (int(sys.argv[2]),) * 2" \
    "$5/$renditions" "$4" || fail "$2$3.jpg: its rendition $renditions from $1 is not a whole picture"
  echo "$renditions"
}
