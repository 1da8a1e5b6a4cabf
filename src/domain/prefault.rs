//! Fresh memory made present in one call. A table read back fills a vector of tens of
//! megabytes from its first byte to its last, and a clock jump fills the room it made for the
//! year's notices and ended memberships; each page, touched for the first time, costs a page
//! fault, which this machine makes slow. Asking the kernel for the pages at once
//! (`MADV_POPULATE_WRITE`, Linux 5.14) leaves the kernel the same work without a trap per page: at
//! a million assignments, a read's system time went from 0.384 to 0.339 s (medians of 15 runs).

/// Below this, a vector's pages are left to fault in as they are written.
const AT_LEAST: usize = 2 << 20;

/// `madvise`'s advice that prefaults a range as if written, without writing it (not in every
/// `libc` release yet).
#[cfg(target_os = "linux")]
const MADV_POPULATE_WRITE: libc::c_int = 23;

/// Makes the pages of all of `v`'s spare room present (see [`prefault_room`]).
pub(crate) fn prefault<T>(v: &mut Vec<T>) {
    prefault_room(v, usize::MAX);
}

/// Makes present the pages of the first `items` of `v`'s spare room (at most all of it): the
/// room about to be written. Nothing when that is less than [`AT_LEAST`] bytes. The vector's
/// contents, length and room are unchanged. Nothing on other systems, or where the kernel does
/// not know the advice (the pages then fault in as they are written, as before).
pub(crate) fn prefault_room<T>(v: &mut Vec<T>, items: usize) {
    if let Some(room) = Room::of(v, items) {
        room.populate();
    }
}

/// The whole pages of the first `items` of a vector's spare room, by address (see [`Room::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Room {
    start: usize,
    end: usize,
}

impl Room {
    const PAGE: usize = 4096;

    /// The room [`prefault_room`] makes present (`None` where it makes none).
    pub fn of<T>(v: &mut Vec<T>, items: usize) -> Option<Room> {
        let spare = v.spare_capacity_mut();
        let items = items.min(spare.len());
        let bytes = std::mem::size_of::<T>().saturating_mul(items);
        if bytes < AT_LEAST {
            return None;
        }
        let from = spare.as_mut_ptr() as usize;
        let start = from.next_multiple_of(Self::PAGE);
        let end = from.saturating_add(bytes) / Self::PAGE * Self::PAGE;
        (end > start).then_some(Room { start, end })
    }

    /// The `k`th of `parts` equal parts (in whole pages; the last takes what is left).
    fn part(self, k: usize, parts: usize) -> Room {
        let pages = (self.end - self.start) / Self::PAGE;
        let at = |k: usize| self.start.saturating_add(pages.saturating_mul(k) / parts.max(1) * Self::PAGE);
        Room { start: at(k), end: if k.saturating_add(1) >= parts { self.end } else { at(k.saturating_add(1)) } }
    }

    /// Makes the room's pages present. Nothing on other systems, nor where the kernel does not
    /// know the advice, nor where the range is no longer mapped.
    fn populate(self) {
        #[cfg(target_os = "linux")]
        if self.end > self.start {
            // SAFETY: the advice only makes the range's pages present (as a write would, without
            // writing): no byte of memory changes, whoever owns the range now. A range no longer
            // mapped (the vector grew elsewhere and its room was handed back) fails, changing
            // nothing; so does any other failure.
            unsafe {
                libc::madvise(self.start as *mut libc::c_void, self.end - self.start, MADV_POPULATE_WRITE);
            }
        }
    }
}

/// In how many steps [`beside`] makes rooms present, front first, a part of each at each step:
/// the rooms are filled from the front, together.
const STEPS: usize = 64;

/// A thread making rooms present while the caller fills them (see [`beside`]).
#[derive(Debug)]
pub(crate) struct Beside(Option<std::thread::JoinHandle<()>>);

impl Beside {
    /// Waits for the rooms to be present (at once if they are).
    pub fn join(self) {
        if let Some(h) = self.0 {
            let _ = h.join();
        }
    }
}

/// Makes `rooms` present on a thread of its own, front first, while the caller writes into
/// them: the kernel's work for fresh pages (a quarter of a year's firing at a million
/// assignments, where the machine gives them slowly) moves off the caller's core. A page the
/// caller reaches first faults in as usual. Nothing starts for no room.
pub(crate) fn beside(rooms: Vec<Room>) -> Beside {
    if rooms.is_empty() {
        return Beside(None);
    }
    let work = move || {
        for k in 0..STEPS {
            for room in &rooms {
                room.part(k, STEPS).populate();
            }
        }
    };
    Beside(std::thread::Builder::new().name("prefault".into()).spawn(work).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefaulted_vector_keeps_its_contents_and_room() {
        let mut v: Vec<u64> = Vec::with_capacity(1 << 20);
        v.extend([7, 8, 9]);
        prefault(&mut v);
        assert_eq!(v.as_slice(), [7, 8, 9].as_slice());
        assert!(v.capacity() >= 1 << 20);
        v.resize(1 << 20, 1);
        assert_eq!(v.iter().sum::<u64>(), 7 + 8 + 9 + ((1 << 20) - 3));
    }

    #[test]
    fn the_parts_of_a_room_cover_it_in_whole_pages_in_order() {
        let mut v: Vec<u8> = Vec::with_capacity(3 << 20);
        let room = Room::of(&mut v, usize::MAX).expect("a room of 3 MiB");
        for parts in [1, 7, STEPS, 10_000] {
            let mut at = room.start;
            for k in 0..parts {
                let p = room.part(k, parts);
                assert_eq!(p.start, at, "{parts} parts, part {k}");
                assert!(p.end >= p.start && p.start.is_multiple_of(Room::PAGE) && p.end.is_multiple_of(Room::PAGE));
                at = p.end;
            }
            assert_eq!(at, room.end, "{parts} parts");
        }
        assert_eq!(Room::of(&mut v, 1000), None, "less than the least worth a call");
    }

    #[test]
    fn rooms_made_present_beside_keep_what_is_written_meanwhile() {
        let mut a: Vec<u64> = Vec::with_capacity(1 << 20);
        let mut b: Vec<u32> = Vec::with_capacity(1 << 20);
        let rooms = [Room::of(&mut a, usize::MAX), Room::of(&mut b, 600_000)].into_iter().flatten().collect();
        let side = beside(rooms);
        a.extend(0..1 << 20);
        b.extend((0..1 << 20).map(|i: u32| i.wrapping_mul(3)));
        side.join();
        assert!(a.iter().enumerate().all(|(i, x)| *x == i as u64));
        assert!(b.iter().enumerate().all(|(i, x)| u64::from(*x) == (i as u64).wrapping_mul(3) & 0xffff_ffff));
        beside(Vec::new()).join();
    }

    #[test]
    fn room_past_the_spare_or_too_small_is_left_alone() {
        let mut v: Vec<u32> = Vec::with_capacity(1 << 20);
        v.push(5);
        prefault_room(&mut v, usize::MAX);
        prefault_room(&mut v, 10);
        assert_eq!((v.as_slice(), v.capacity() >= 1 << 20), ([5].as_slice(), true));
        let mut small: Vec<u8> = Vec::with_capacity(10);
        prefault(&mut small);
        assert!(small.is_empty());
        let mut none: Vec<u8> = Vec::new();
        prefault(&mut none);
        let mut zst: Vec<()> = Vec::with_capacity(5);
        prefault(&mut zst);
        assert!(none.is_empty() && zst.is_empty());
    }
}
