//! PNG from the SVG, in pure Rust: `resvg` parses and renders it (text through `fontdb` and
//! the system's fonts, DejaVu Sans first, as the SVG asks), `tiny-skia` encodes the pixels.
//! Without any font the text cannot be drawn, and a PNG without its labels would mislead: that
//! is refused, naming the font package to install.

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{Options, Tree};

use crate::error::InputError;

/// The families tried for `sans-serif`, in order.
const SANS: [&str; 4] = ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"];

/// The PNG of `svg` at one pixel per SVG unit, on white.
pub fn png(svg: &str, shown: &str) -> Result<Vec<u8>, InputError> {
    let mut options = Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    if fonts.is_empty() {
        return Err(InputError::file(
            shown,
            "no font found to draw the text of a PNG (on Debian: apt-get install fonts-dejavu-core); \
             or write .svg",
        ));
    }
    let family = SANS.iter().find(|name| {
        fonts
            .faces()
            .any(|f| f.families.iter().any(|(n, _)| n == *name))
    });
    if let Some(name) = family {
        fonts.set_sans_serif_family(*name);
    }
    let tree = Tree::from_str(svg, &options)
        .map_err(|e| InputError::file(shown, format!("cannot read the SVG to rasterise: {e}")))?;
    let size = tree.size().to_int_size();
    let mut pixmap = Pixmap::new(size.width(), size.height())
        .ok_or_else(|| InputError::file(shown, "the picture has no area"))?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::identity(), &mut pixmap.as_mut());
    pixmap
        .encode_png()
        .map_err(|e| InputError::file(shown, format!("cannot encode the PNG: {e}")))
}
